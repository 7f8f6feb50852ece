package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

const karen = `{"officer": {"name": "Karen Sly"}, "post": "chief-finance-officer",
  "statutory_role": "chief_finance_officer", "employing_council": "north-norfolk",
  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
  "basis": "interim", "starts_on": "2015-11-07", "approvals": [ {"council": "great-yarmouth", "body": "full council", "meeting": "2015-10-15", "item": "8", "raw": "Full Council 15 October 2015, item 8"} ]}`

// folded is the state of a book's whole history, as the read models fold it.
func folded(b *book) *domain.State { return domain.Fold(domain.EffectiveView(b.hist)) }

// The name case of issue 19, on the write side and in the fold the read models use: an officer is
// the same whatever the case and spacing of her name, a post whatever its case.
func TestOfficerIdentityIsOneMeaning(t *testing.T) {
	t.Run("ending karen  SLY as Chief-Finance-Officer at Great Yarmouth ends her appointment there", func(t *testing.T) {
		b, _ := started(t)
		appointed := b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		ended := b.ok(cmd(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-29","reason":"resignation"}`))
		st := folded(b)
		require.Len(t, st.Appointments, 1)
		a := st.Appointments[0]
		assert.Equal(t, "Karen Sly", a.Officer.Name, "the name as first recorded")
		assert.Equal(t, []domain.CouncilShare{{Council: domain.MustCouncil("north-norfolk"), TimeShareBasisPoints: 5000}}, a.Councils)
		roles := st.RolesOf(&a)
		require.Len(t, roles, 1, "the s151 role at Great Yarmouth ends with the appointment there")
		assert.Equal(t, domain.MustCouncil("north-norfolk"), roles[0].Council)
		assert.Equal(t, []any{appointed, ended}, []any{a.Evidence[0], a.Evidence[1]})

		// Ending the rest under yet another spelling ends the appointment.
		b.ok(cmd(domain.TypeAppointmentEnded, "2016-10-01", `{"officer":{"name":" KAREN sly "},"post":"CHIEF-finance-officer",
		  "councils":["north-norfolk"],"last_day":"2016-09-30","reason":"resignation"}`))
		assert.Empty(t, folded(b).Appointments)
	})

	t.Run("a reappointment under a differently spaced name is one appointment", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.ok(cmd(domain.TypeAppointmentEnded, "2016-03-31", `{"officer":{"name":"KAREN  SLY"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth","north-norfolk"],"last_day":"2016-03-31","reason":"end_of_term"}`))
		again := b.ok(cmd(domain.TypeJointAppointmentMade, "2016-04-01", `{"officer": {"name": "karen   sly"}, "post": "Chief-Finance-Officer",
		  "employing_council": "north-norfolk", "councils": [{"council": "north-norfolk", "time_share_basis_points": 10000}],
		  "basis": "permanent", "starts_on": "2016-04-01"}`))
		st := folded(b)
		require.Len(t, st.Appointments, 1)
		assert.Equal(t, again, st.Appointments[0].Evidence[0])
		assert.Equal(t, "karen   sly", st.Appointments[0].Officer.Name)

		// While the first appointment is in force, the same officer in the same post is refused,
		// whatever the spelling.
		b2, _ := started(t)
		b2.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b2.refused(cmd(domain.TypeJointAppointmentMade, "2016-04-01", `{"officer": {"name": "karen   sly"}, "post": "Chief-Finance-Officer",
		  "employing_council": "north-norfolk", "councils": [{"council": "north-norfolk", "time_share_basis_points": 1000}],
		  "basis": "permanent", "starts_on": "2016-04-01"}`), "/data/post", "already holds the post")
		assert.Len(t, folded(b2).Appointments, 1)
	})

	t.Run("names that differ in more than case and spacing are different officers", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.refused(cmd(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"Karen Slye"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"resignation"}`), "/data/post", "holds no appointment")
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer": {"name": "Karen Slye"}, "post": "chief-finance-officer",
		  "employing_council": "great-yarmouth", "councils": [{"council": "great-yarmouth", "time_share_basis_points": 2000}],
		  "basis": "interim", "starts_on": "2015-11-07"}`))
		b.ok(cmd(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"karen slye"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-29","reason":"resignation"}`))
		st := folded(b)
		require.Len(t, st.Appointments, 1, "Karen Slye's appointment ended, Karen Sly's did not")
		assert.Equal(t, "Karen Sly", st.Appointments[0].Officer.Name)
		assert.Len(t, st.Appointments[0].Councils, 2)
	})

	t.Run("a designation and its vacation match the officer however the name is written", func(t *testing.T) {
		b, _ := started(t)
		b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
		b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2015-11-08", `{"council":"north-norfolk","role":"head_of_paid_service","officer":{"name":"KAREN SLY"}}`))
		st := folded(b)
		require.Len(t, st.Appointments, 1, "the role joins her appointment")
		assert.Len(t, st.RolesOf(&st.Appointments[0]), 3)
		require.Len(t, st.Designations, 3, "one record of who holds a role: the appointment's two and the designation")
		b.ok(cmd(domain.TypeStatutoryRoleVacated, "2015-12-01", `{"council":"north-norfolk","role":"head_of_paid_service","officer":{"name":"karen sly"}}`))
		st = folded(b)
		assert.Len(t, st.Designations, 2)
		assert.Len(t, st.RolesOf(&st.Appointments[0]), 2)
	})
}

// The write side's checks and the fold read the same state: after every accepted command, the
// checked fold (Decider) and the plain fold agree on the facts.
func TestStateFactsAndTotals(t *testing.T) {
	b, ids := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	b.ok(cmd(domain.TypeSavingsTargetSet, "2015-11-07", `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000}`))
	b.ok(cmd(domain.TypeOneOffCostIncurred, "2015-11-08", `{"council":"north-norfolk","financial_year":2015,"category":"implementation","amount_pence":50000}`))
	st := folded(b)
	require.Len(t, st.Accounts, 1)
	tot := st.Accounts[0].Totals()
	assert.True(t, tot.HasTarget)
	assert.False(t, tot.HasForecast, "no forecast recorded: absent, not 0")
	assert.False(t, tot.HasOutturn)
	_, ok := tot.Net()
	assert.False(t, ok, "no net saving without a forecast or an outturn")
	assert.False(t, tot.BelowTarget(), "a target with no forecast or outturn: nothing to compare, so not below it")
	assert.Equal(t, domain.StatusActive, st.Status.Value)
	require.Len(t, st.Decisions, 1)
	assert.Equal(t, ids["decision"], st.Decisions[0].Evidence[0])
	assert.Equal(t, minutesSource, st.Decisions[0].Sources, "a fact carries its event's sources")
	assert.Equal(t, len(b.hist), st.EventCount)
}

// ApplyEffect says what each event made true, changed and ended, field by field.
func TestApplyEffect(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
	b.ok(cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject": "chief-finance-officer", "basis": "equal",
	  "shares": [{"council": "great-yarmouth", "basis_points": 5000}, {"council": "north-norfolk", "basis_points": 5000}], "applies_from": "2015-11-07"}`))
	b.ok(cmd(domain.TypeCostShareAgreed, "2016-01-01", `{"subject": "chief-finance-officer", "basis": "fixed_ratio",
	  "shares": [{"council": "great-yarmouth", "basis_points": 4000}, {"council": "north-norfolk", "basis_points": 6000}], "applies_from": "2016-01-01"}`))
	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-01-02", `{"council":"north-norfolk","role":"head_of_paid_service","officer":{"name":"Karen Sly"}}`))
	b.ok(cmd(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer",
	  "councils":["great-yarmouth"],"last_day":"2016-09-29","reason":"resignation"}`))
	b.ok(cmd(domain.TypeAppointmentEnded, "2016-10-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "councils":["north-norfolk"],"last_day":"2016-09-30","reason":"resignation"}`))

	s := domain.NewState()
	var effects []domain.Effect
	for _, e := range domain.EffectiveView(b.hist) {
		effects = append(effects, s.ApplyEffect(e))
	}
	require.Len(t, effects, 8)
	for i, eff := range effects {
		assert.False(t, eff.IsZero(), "event %d (%s) shows an effect", i, eff.Type)
	}
	assert.Equal(t, domain.FactPartnership, effects[0].Made[0].Kind)
	assert.Equal(t, domain.FactDecision, effects[1].Made[0].Kind)

	// A second cost share changes the fact field by field, not as a removal and a new fact.
	cs := effects[4]
	require.Empty(t, cs.Made)
	require.Empty(t, cs.Ended)
	require.Len(t, cs.Changed, 1)
	names := map[string]domain.FieldChange{}
	for _, c := range cs.Changed[0].Changes {
		names[c.Name] = c
	}
	assert.Equal(t, "equal", names["basis"].Before)
	assert.Equal(t, "fixed_ratio", names["basis"].After)
	assert.Contains(t, names, "shares")
	assert.Contains(t, names, "applies_from")
	assert.NotContains(t, names, "subject")

	// A designation makes a statutory_role fact and changes the appointment's roles.
	des := effects[5]
	require.Len(t, des.Made, 1)
	assert.Equal(t, domain.FactDesignation, des.Made[0].Kind)
	require.Len(t, des.Changed, 1)
	assert.Equal(t, "statutory_roles", des.Changed[0].Changes[0].Name)

	// Ending at one council changes the appointment; ending at the last ends it.
	// The roles the appointment carries end with it, council by council (docs/domain.md, rule 4).
	part := effects[6]
	require.Len(t, part.Changed, 1)
	assert.Equal(t, domain.FactAppointment, part.Changed[0].Kind)
	require.Len(t, part.Ended, 1)
	assert.Equal(t, "great-yarmouth|chief_finance_officer", part.Ended[0].Key)
	last := effects[7]
	require.Len(t, last.Ended, 3, "the appointment and the two roles it carried at North Norfolk")
	assert.Equal(t, domain.FactAppointment, last.Ended[0].Kind)
	officer, _ := last.Ended[0].Get("officer")
	assert.Equal(t, "Karen Sly", officer)
	assert.Equal(t, []string{"north-norfolk|chief_finance_officer", "north-norfolk|head_of_paid_service"}, []string{last.Ended[1].Key, last.Ended[2].Key})

	// The state ApplyEffect leaves is the state Apply leaves.
	assert.Equal(t, folded(b).Facts(), s.Facts())
}

// A state Reset and folded again is the state a fresh fold gives: the read models fold every query
// into the memory of the last one.
func TestResetFoldsAsNew(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", sheila))
	for i, c := range []string{"a", "b", "a"} {
		b.ok(cmd(domain.TypeSavingsTargetSet, "2015-11-0"+string(rune('7'+i)), `{"council":"north-norfolk","financial_year":2015,"category":"`+c+`","amount_pence":100}`))
		b.ok(cmd(domain.TypeOneOffCostIncurred, "2015-11-0"+string(rune('7'+i)), `{"council":"great-yarmouth","financial_year":2015,"category":"x","amount_pence":5}`))
	}
	view := domain.EffectiveView(b.hist)
	s := domain.Fold(view)
	s.Reset()
	for _, e := range view[:3] {
		s.Apply(e)
	}
	assert.Equal(t, domain.Fold(view[:3]).Facts(), s.Facts())
	s.Reset()
	for _, e := range view {
		s.Apply(e)
	}
	assert.Equal(t, domain.Fold(view).Facts(), s.Facts())
	assert.Equal(t, domain.Fold(view).Accounts[0].Totals(), s.Accounts[0].Totals())
}
