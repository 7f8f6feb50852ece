package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/projections"
)

// The write side and the views agree, end to end through the CLI (issue 19: one meaning of an
// event): the tester's fixed term, the statutory role an appointment carries, and savings with only
// a target.

// recorder records events in partnership aa-bb of a fresh ledger.
type recorder struct {
	t     *testing.T
	store string
}

func newRecorder(t *testing.T) recorder {
	r := recorder{t, tempStore(t)}
	r.ok("PartnershipProposed", "2015-01-01", `{"name":"AA and BB","purpose":"share a chief finance officer","partners":[
	  {"council":"aa","name":"AA Borough Council","kind":"borough"},{"council":"bb","name":"BB Borough Council","kind":"borough"}]}`)
	return r
}

func (r recorder) record(typ, eff, data string) result {
	r.t.Helper()
	return ledger(r.t, nil, "record", "--store", r.store, "--partnership", "aa-bb", "--type", typ, "--effective", eff,
		"--data", data, "--source", "minutes:t")
}

func (r recorder) ok(typ, eff, data string) {
	r.t.Helper()
	res := r.record(typ, eff, data)
	require.Equal(r.t, 0, res.code, "%s %s: %s", typ, eff, res.stderr)
}

func (r recorder) refused(typ, eff, data, want string) {
	r.t.Helper()
	res := r.record(typ, eff, data)
	require.Equal(r.t, 2, res.code, "%s %s was accepted: %s", typ, eff, res.stdout)
	assert.Contains(r.t, res.stderr, want)
}

func (r recorder) state(asOf string) projections.State {
	r.t.Helper()
	res := ledger(r.t, nil, "state", "--store", r.store, "--partnership", "aa-bb", "--as-of", asOf, "--json")
	require.Equal(r.t, 0, res.code, res.stderr)
	var st projections.State
	require.NoError(r.t, json.Unmarshal([]byte(res.stdout), &st))
	return st
}

func TestFixedTermAndRolesAgreeEndToEnd(t *testing.T) {
	r := newRecorder(t)
	r.ok("JointAppointmentMade", "2015-02-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "statutory_role":"chief_finance_officer","employing_council":"aa",
	  "councils":[{"council":"aa","time_share_basis_points":5000},{"council":"bb","time_share_basis_points":5000}],
	  "basis":"interim","starts_on":"2015-02-01","ends_on":"2015-06-30"}`)

	// In force to its last day, with its roles and its ends_on; another officer cannot take the role.
	st := r.state("2015-06-30")
	require.Len(t, st.Appointments, 1)
	assert.Equal(t, "2015-06-30", st.Appointments[0].EndsOn.String())
	assert.Len(t, st.Appointments[0].Roles, 2)
	text := ledger(t, nil, "state", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-06-30")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "since 2015-02-01 to 2015-06-30")
	r.refused("StatutoryRoleDesignated", "2015-03-01", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`,
		"held by Karen Sly")

	// After it, out of force in the views and for Decide alike.
	assert.Empty(t, r.state("2015-07-01").Appointments)
	r.refused("AppointmentEnded", "2015-08-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","councils":["aa"],
	  "last_day":"2015-08-01","reason":"resignation"}`, "Karen Sly holds no appointment")
	r.ok("JointAppointmentMade", "2015-08-02", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer","employing_council":"aa",
	  "councils":[{"council":"aa","time_share_basis_points":10000}],"basis":"permanent","starts_on":"2015-08-02"}`)
	st = r.state("2015-08-03")
	require.Len(t, st.Appointments, 1, "a reappointment is one appointment")
	rep := ledger(t, nil, "replay", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-08-03")
	require.Equal(t, 0, rep.code, rep.stderr)
	assert.Contains(t, rep.stdout, "before it, a last day passed: ends appointment of Karen Sly", "replay says the term ran out")
	assert.NotContains(t, rep.stdout, "changes appointment of Karen Sly", "the reappointment is a new appointment, not a change")
	assert.Equal(t, "karen  SLY", st.Appointments[0].Officer)
	assert.Empty(t, st.Appointments[0].Roles)
	r.ok("StatutoryRoleDesignated", "2015-08-03", `{"council":"bb","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`)

	// The role the reappointment's designation carries ends with it at that council, on both sides.
	r.ok("StatutoryRoleDesignated", "2015-08-04", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`)
	r.ok("AppointmentEnded", "2015-09-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","councils":["aa"],
	  "last_day":"2015-09-01","reason":"resignation"}`)
	r.refused("StatutoryRoleVacated", "2015-09-02", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`,
		"no one holds chief_finance_officer at aa")
	r.ok("StatutoryRoleDesignated", "2015-09-02", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Jane Doe"}}`)
	holders := map[string]string{}
	for _, a := range r.state("2015-09-03").Appointments {
		for _, ro := range a.Roles {
			holders[ro.Council+" "+ro.Role] = a.Officer
		}
	}
	assert.Equal(t, map[string]string{"aa chief_finance_officer": "Jane Doe", "bb chief_finance_officer": "Bob Other"}, holders)
}

// An AppointmentEnded's last_day is in force, as a fixed term's ends_on is (docs/domain.md, rules 4
// and 6): on it the views, ledger state and Decide all have the officer in office with the roles the
// appointment carries there; from the next day none of them do, and replay says when it happened.
func TestLastDayAgreesEndToEnd(t *testing.T) {
	r := newRecorder(t)
	r.ok("JointAppointmentMade", "2015-02-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "statutory_role":"chief_finance_officer","employing_council":"aa",
	  "councils":[{"council":"aa","time_share_basis_points":5000},{"council":"bb","time_share_basis_points":5000}],
	  "basis":"interim","starts_on":"2015-02-01"}`)
	r.refused("AppointmentEnded", "2015-07-05", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer","councils":["aa"],
	  "last_day":"2015-06-30","reason":"resignation"}`, "--data (/data/last_day): 2015-06-30 is more than a day before the event's effective_on (2015-07-05)")
	r.ok("AppointmentEnded", "2015-06-30", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer","councils":["aa"],
	  "last_day":"2015-06-30","reason":"resignation"}`)

	st := r.state("2015-06-30")
	require.Len(t, st.Appointments, 1)
	a := st.Appointments[0]
	require.Len(t, a.Councils, 2, "on her last day she serves both councils")
	assert.Equal(t, "2015-06-30", a.Councils[0].LastDay.String())
	assert.True(t, a.Councils[1].LastDay.IsZero())
	assert.Len(t, a.Roles, 2, "with the role at each")
	text := ledger(t, nil, "state", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-06-30")
	require.Equal(t, 0, text.code, text.stderr)
	assert.Contains(t, text.stdout, "for aa to 2015-06-30, bb")
	r.refused("StatutoryRoleDesignated", "2015-06-30", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`,
		"held by Karen Sly")
	r.refused("JointAppointmentMade", "2015-06-30", `{"officer":{"name":"Karen Sly"},"post":"head-of-finance","employing_council":"aa",
	  "councils":[{"council":"aa","time_share_basis_points":5000}],"basis":"permanent","starts_on":"2015-06-30"}`, "at most 10000")

	st = r.state("2015-07-01")
	require.Len(t, st.Appointments, 1)
	require.Len(t, st.Appointments[0].Councils, 1, "from the next day she serves bb alone")
	assert.Equal(t, "bb", st.Appointments[0].Councils[0].Council)
	require.Len(t, st.Appointments[0].Roles, 1, "the role at aa ended with the appointment there")
	assert.Equal(t, "bb", st.Appointments[0].Roles[0].Council)
	rep := ledger(t, nil, "replay", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-07-01")
	require.Equal(t, 0, rep.code, rep.stderr)
	assert.Contains(t, rep.stdout, "changes appointment of Karen Sly as chief finance officer: last days (not recorded) → AA Borough Council to 30 June 2015")
	assert.Contains(t, rep.stdout, "by 1 July 2015, with no event: a last day passed")
	assert.Contains(t, rep.stdout, "ends statutory role chief finance officer (s151) at AA Borough Council")
	r.ok("StatutoryRoleDesignated", "2015-07-01", `{"council":"aa","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`)
	r.ok("JointAppointmentMade", "2015-07-01", `{"officer":{"name":"Karen Sly"},"post":"head-of-finance","employing_council":"aa",
	  "councils":[{"council":"aa","time_share_basis_points":5000}],"basis":"permanent","starts_on":"2015-07-01"}`)
}

func TestTargetAloneIsNotBelowTargetEndToEnd(t *testing.T) {
	r := newRecorder(t)
	r.ok("SavingsTargetSet", "2015-04-02", `{"council":"aa","financial_year":2015,"category":"shared management","amount_pence":4000000}`)
	st := r.state("2015-05-01")
	require.Len(t, st.Savings.Years, 1)
	c := st.Savings.Years[0].Councils[0]
	assert.False(t, c.BelowTarget, "nothing to compare with the target")
	assert.Nil(t, c.NetPence)
	assert.Empty(t, st.Savings.BelowTarget)
	text := ledger(t, nil, "state", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-05-01")
	require.Equal(t, 0, text.code, text.stderr)
	assert.NotContains(t, text.stdout, "BELOW TARGET")

	// With a forecast short of it but no one-off costs recorded, there is no net to compare: not
	// below target (the costs are not £0: domain.Totals.Net).
	r.ok("SavingsReported", "2015-06-01", `{"council":"aa","financial_year":2015,"category":"shared management","amount_pence":1000000,
	  "status":"forecast","period_to":"2016-03-31"}`)
	st = r.state("2015-06-02")
	assert.False(t, st.Savings.Years[0].Councils[0].BelowTarget, "no one-off costs recorded: no net")
	assert.Empty(t, st.Savings.BelowTarget)

	// With the one-off costs recorded, the net falls short of the target.
	r.ok("OneOffCostIncurred", "2015-06-02", `{"council":"aa","financial_year":2015,"category":"recruitment","amount_pence":100000}`)
	st = r.state("2015-06-02")
	assert.True(t, st.Savings.Years[0].Councils[0].BelowTarget)
	assert.Equal(t, []string{"aa 2015/16"}, st.Savings.BelowTarget)
	text = ledger(t, nil, "state", "--store", r.store, "--partnership", "aa-bb", "--as-of", "2015-06-02")
	assert.True(t, strings.Contains(text.stdout, "BELOW TARGET"), text.stdout)
}
