package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// The write side and the read side agree (issue 19: one meaning of an event): what the fold shows in
// force, Decide can end; what it shows held, Decide can vacate and will not give to another.

// fixedTerm is a fixed-term appointment of Karen Sly as chief finance officer, with the s151 role at
// both councils: 7 November 2015 to 30 June 2016 (the tester's report, moved after the proposal).
const fixedTerm = `{"officer": {"name": "Karen Sly"}, "post": "chief-finance-officer",
  "statutory_role": "chief_finance_officer", "employing_council": "north-norfolk",
  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
  "basis": "interim", "starts_on": "2015-11-07", "ends_on": "2016-06-30"}`

// asOf is the fold of the book's history as of d, as the read models take it.
func asOf(b *book, d string) *domain.State {
	var in []domain.Effective
	for _, e := range domain.EffectiveView(b.hist) {
		if !e.EffectiveOn.After(domain.MustDate(d)) {
			in = append(in, e)
		}
	}
	s := domain.Fold(in)
	s.AdvanceTo(domain.MustDate(d))
	return s
}

func TestFixedTermLapsesOnBothSides(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", fixedTerm))

	// On its last day it is in force, with its roles, and can be ended.
	on := asOf(b, "2016-06-30")
	require.Len(t, on.Appointments, 1)
	assert.Equal(t, domain.MustDate("2016-06-30"), on.Appointments[0].EndsOn)
	assert.Len(t, on.RolesOf(&on.Appointments[0]), 2)
	_, err := domain.Decide(b.hist, cmd(domain.TypeAppointmentEnded, "2016-06-30", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "councils":["great-yarmouth"],"last_day":"2016-06-30","reason":"end_of_term"}`))
	require.NoError(t, err)

	// The day after, it has lapsed in the fold (with its roles) and Decide agrees.
	after := asOf(b, "2016-07-01")
	assert.Empty(t, after.Appointments, "a fixed term is out of force after its ends_on")
	assert.Empty(t, after.Designations, "and the roles it carried with it")
	b.refused(cmd(domain.TypeAppointmentEnded, "2016-08-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "councils":["great-yarmouth"],"last_day":"2016-08-01","reason":"resignation"}`), "/data/post", "holds no appointment")
	b.refused(cmd(domain.TypeStatutoryRoleVacated, "2016-08-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`),
		"/data/officer/name", "no one holds chief_finance_officer at great-yarmouth")
	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-08-01", `{"council":"north-norfolk","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`))

	// A reappointment under another spelling is one appointment, with its own time share only.
	b.ok(cmd(domain.TypeJointAppointmentMade, "2016-08-02", `{"officer": {"name": "karen  SLY"}, "post": "Chief-Finance-Officer",
	  "employing_council": "great-yarmouth", "councils": [{"council": "great-yarmouth", "time_share_basis_points": 10000}],
	  "basis": "permanent", "starts_on": "2016-08-02"}`))
	st := asOf(b, "2016-08-03")
	var karens []domain.Appointment
	for _, a := range st.Appointments {
		if domain.SameOfficer(a.Officer.Name, "Karen Sly") {
			karens = append(karens, a)
		}
	}
	require.Len(t, karens, 1)
	assert.Equal(t, "Chief-Finance-Officer", karens[0].Post)
	assert.Empty(t, st.RolesOf(&karens[0]), "the old appointment's roles lapsed with it")
}

func TestAppointmentsStatutoryRoleIsHeldOnBothSides(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
	st := folded(b)
	require.Len(t, st.Designations, 2, "the appointment's statutory_role is a designation at each council it serves")

	// Another officer cannot be given the role; the holder can vacate it.
	b.refused(cmd(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`),
		"/data/role", "held by Karen Sly")
	b.refused(cmd(domain.TypeStatutoryRoleDesignated, "2015-12-01", `{"council":"north-norfolk","role":"monitoring_officer","officer":{"name":"Karen Sly"}}`),
		"/data/role", "must not also be the chief finance officer")
	// Designating her by a council's decision confirms the role (the demo does): accepted, one holder.
	confirm := b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-11-07", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"KAREN SLY"}}`))
	st = folded(b)
	require.Len(t, st.Designations, 2)
	assert.Equal(t, confirm, st.Designations[0].Evidence[1])
	b.ok(cmd(domain.TypeStatutoryRoleVacated, "2015-12-01", `{"council":"north-norfolk","role":"chief_finance_officer","officer":{"name":"karen sly"}}`))
	st = folded(b)
	require.Len(t, st.Designations, 1)
	require.Len(t, st.Appointments, 1)
	assert.Len(t, st.RolesOf(&st.Appointments[0]), 1)

	// An appointment whose statutory_role another officer holds at one of its councils is refused.
	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-12-02", `{"council":"north-norfolk","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`))
	b.refused(cmd(domain.TypeJointAppointmentMade, "2015-12-03", `{"officer": {"name": "Jane Doe"}, "post": "deputy-s151",
	  "statutory_role": "chief_finance_officer", "employing_council": "north-norfolk",
	  "councils": [{"council": "north-norfolk", "time_share_basis_points": 5000}], "basis": "interim", "starts_on": "2015-12-03"}`),
		"/data/statutory_role", "held by Bob Other")
}

func TestEndingAnAppointmentEndsItsRolesOnBothSides(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
	b.ok(cmd(domain.TypeAppointmentEnded, "2016-03-31", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer",
	  "councils":["great-yarmouth"],"last_day":"2016-03-30","reason":"resignation"}`))
	st := folded(b)
	require.Len(t, st.Designations, 1)
	assert.Equal(t, domain.MustCouncil("north-norfolk"), st.Designations[0].Council)

	b.refused(cmd(domain.TypeStatutoryRoleVacated, "2016-04-02", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`),
		"/data/officer/name", "no one holds chief_finance_officer at great-yarmouth")
	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-04-02", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Jane Doe"}}`))
	b.refused(cmd(domain.TypeStatutoryRoleVacated, "2016-04-03", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`),
		"/data/officer/name", "held by Jane Doe, not Karen Sly")
	st = folded(b)
	require.Len(t, st.Designations, 2)
	// Jane Doe holds it on her own: a post-less entry stands for her, and goes when she vacates it.
	require.Len(t, st.Appointments, 2)
	b.ok(cmd(domain.TypeStatutoryRoleVacated, "2016-05-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"jane doe"}}`))
	assert.Len(t, folded(b).Appointments, 1)
}

func TestCorrectionsEffectiveDateIsTheDayItIsMade(t *testing.T) {
	b, ids := started(t)
	correct := func(eff string) domain.Command {
		c := cmd(domain.TypeEventCorrected, eff, `{"target":"`+ids["decision"].String()+`","data":{"resolution":"share the chief executive, as amended"},"reason":"the minutes say otherwise"}`)
		return c
	}
	b.refused(correct("1900-01-01"), "/effective_on", "before the partnership was proposed (2015-10-01)")
	retract := cmd(domain.TypeEventRetracted, "2015-09-30", `{"target":"`+ids["decision"].String()+`","reason":"duplicate"}`)
	b.refused(retract, "/effective_on", "before the partnership was proposed")

	// The day it is recorded bounds it: a seed's recorded_at, or the recording service's clock.
	future := correct("2099-01-01")
	future.RecordedAt = domain.MustDate("2016-01-02").Time()
	b.refused(future, "/effective_on", "after the day the correction is recorded (2016-01-02)")
	d := domain.NewDecider(b.hist)
	d.SetClock(func() time.Time { return domain.MustDate("2026-11-30").Time().Add(12 * time.Hour) })
	_, err := d.Decide(correct("2099-01-01"))
	require.ErrorContains(t, err, "after the day the correction is recorded (2026-11-30)")
	_, err = d.Decide(correct("2026-11-30"))
	require.NoError(t, err)
	b.ok(correct("2016-01-02"))
}

// An end date is the last day in force (docs/domain.md, rules 4 and 6): an AppointmentEnded's
// last_day, like a fixed term's ends_on, is a day the officer serves, with the roles the appointment
// carries; from the next day the appointment is out of force. The fold (as the read models take it)
// and Decide agree on both days.
func TestLastDayIsInForceOnBothSides(t *testing.T) {
	endBoth := func(eff, last string) domain.Command {
		return cmd(domain.TypeAppointmentEnded, eff, `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth","north-norfolk"],"last_day":"`+last+`","reason":"resignation"}`)
	}
	reappoint := func(eff, post string, bp int) domain.Command {
		return cmd(domain.TypeJointAppointmentMade, eff, fmt.Sprintf(`{"officer": {"name": "karen sly"}, "post": %q,
		  "employing_council": "north-norfolk", "councils": [{"council": "north-norfolk", "time_share_basis_points": %d}],
		  "basis": "permanent", "starts_on": %q}`, post, bp, eff))
	}

	t.Run("recorded on the last day: in office that day, out the next", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		ended := b.ok(endBoth("2016-09-30", "2016-09-30"))

		on := asOf(b, "2016-09-30")
		require.Len(t, on.Appointments, 1, "in force on its last day")
		a := on.Appointments[0]
		assert.Len(t, a.Councils, 2)
		assert.Len(t, on.RolesOf(&a), 2, "with the roles it carries")
		assert.Equal(t, domain.MustDate("2016-09-30"), a.LastDayAt(domain.MustCouncil("great-yarmouth")))
		assert.Equal(t, ended, a.Evidence[1], "the end is evidence of the appointment while it is pending")
		// Decide sees the same: the post, her time and the role are taken on the last day.
		b.refused(reappoint("2016-09-30", "Chief-Finance-Officer", 1000), "/data/post", "already holds the post")
		b.refused(reappoint("2016-09-30", "head-of-finance", 10000), "/data/councils", "at most 10000")
		b.refused(cmd(domain.TypeStatutoryRoleDesignated, "2016-09-30", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`),
			"/data/role", "held by Karen Sly")
		b.refused(endBoth("2016-09-30", "2016-09-30"), "/data/councils/0", "already ends at great-yarmouth (last day 2016-09-30")

		after := asOf(b, "2016-10-01")
		assert.Empty(t, after.Appointments, "out of force the day after its last day")
		assert.Empty(t, after.Designations, "and the roles it carried with it")
		b.refused(cmd(domain.TypeStatutoryRoleVacated, "2016-10-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Karen Sly"}}`),
			"/data/officer/name", "no one holds chief_finance_officer at great-yarmouth")
		b.ok(reappoint("2016-10-01", "Chief-Finance-Officer", 10000))
		b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-10-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`))
		st := asOf(b, "2016-10-01")
		require.Len(t, st.Appointments, 2, "Karen Sly's new appointment and Bob Other's role")
		assert.Empty(t, st.Appointments[0].Ending)
	})

	t.Run("recorded the day after the last day: out of force from the event's date", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.ok(endBoth("2016-10-01", "2016-09-30"))
		assert.Len(t, asOf(b, "2016-09-30").Appointments, 1)
		assert.Empty(t, asOf(b, "2016-10-01").Appointments)
		assert.Empty(t, asOf(b, "2016-10-01").Designations)
		b.ok(reappoint("2016-10-01", "chief-finance-officer", 10000))
	})

	t.Run("recorded late: dated the day after the last day, or refused", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.refused(endBoth("2016-10-05", "2016-09-30"), "/data/last_day", "record the end with effective_on 2016-10-01")
		assert.Len(t, asOf(b, "2016-10-05").Appointments, 1, "nothing recorded")
	})

	t.Run("recorded in advance: in force to the last day, at the councils it names", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.ok(cmd(domain.TypeAppointmentEnded, "2016-09-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"notice"}`))
		mid := asOf(b, "2016-09-15")
		require.Len(t, mid.Appointments, 1)
		assert.Len(t, mid.Appointments[0].Councils, 2, "still serves Great Yarmouth until its last day")
		assert.Len(t, mid.Designations, 2)
		assert.Len(t, asOf(b, "2016-09-30").Appointments[0].Councils, 2)
		after := asOf(b, "2016-10-01")
		require.Len(t, after.Appointments, 1)
		assert.Equal(t, []domain.CouncilShare{{Council: domain.MustCouncil("north-norfolk"), TimeShareBasisPoints: 5000}}, after.Appointments[0].Councils)
		assert.Empty(t, after.Appointments[0].Ending)
		require.Len(t, after.Designations, 1, "the role at Great Yarmouth ends with the appointment there")
		assert.Equal(t, domain.MustCouncil("north-norfolk"), after.Designations[0].Council)
		// Her time at Great Yarmouth is free from the day after the last day, not before.
		gy := func(eff string) domain.Command {
			return cmd(domain.TypeJointAppointmentMade, eff, `{"officer": {"name": "Karen Sly"}, "post": "head-of-finance",
			  "employing_council": "great-yarmouth", "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}],
			  "basis": "permanent", "starts_on": "`+eff+`"}`)
		}
		b.refused(gy("2016-09-30"), "/data/councils", "at most 10000")
		b.ok(gy("2016-10-01"))
	})

	t.Run("a last day after the fixed term's ends_on is refused", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", fixedTerm))
		b.refused(endBoth("2016-06-01", "2016-07-31"), "/data/last_day", "after the last day of the appointment's fixed term (ends_on 2016-06-30)")
		b.ok(endBoth("2016-06-01", "2016-06-15"))
		assert.Len(t, asOf(b, "2016-06-15").Appointments, 1)
		assert.Empty(t, asOf(b, "2016-06-16").Appointments)
	})
}

// An end recorded on or before the last day shows its effect when it is folded (the appointment's
// last_days), and what it ends as lapsed before the first event after the last day.
func TestLastDayEffect(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
	b.ok(cmd(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"resignation"}`))
	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-10-01", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Bob Other"}}`))
	s := domain.NewState()
	var effects []domain.Effect
	for _, e := range domain.EffectiveView(b.hist) {
		effects = append(effects, s.ApplyEffect(e))
	}
	require.Len(t, effects, 5)
	end := effects[3]
	require.Len(t, end.Changed, 1)
	assert.Empty(t, end.Ended, "nothing ends on the last day")
	require.Len(t, end.Changed[0].Changes, 1)
	assert.Equal(t, "last_days", end.Changed[0].Changes[0].Name)
	assert.Equal(t, []string{"great-yarmouth 2016-09-30"}, end.Changed[0].Changes[0].After)
	next := effects[4]
	require.Len(t, next.Lapsed, 1, "Karen Sly's role at Great Yarmouth lapsed before Bob Other's designation")
	assert.Equal(t, "great-yarmouth|chief_finance_officer", next.Lapsed[0].Key)
}
