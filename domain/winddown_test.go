package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// A statutory role whose holder the record ended is vacant from the first day without one, whatever
// ended it: an appointment's last day passing (the day after it), the dissolution (its day); a
// designation fills it. The dissolution keeps what it ended.
func TestVacanciesAndDissolution(t *testing.T) {
	b, _ := started(t)
	b.ok(cmd(domain.TypeJointAppointmentMade, "2015-11-07", karen))
	b.ok(cmd(domain.TypeAppointmentEnded, "2016-05-01", `{"officer":{"name":"Karen Sly"},"post":"chief-finance-officer",
	  "councils":["great-yarmouth"],"last_day":"2016-05-31","reason":"resignation"}`))
	st := folded(b)
	assert.Empty(t, st.Vacancies, "served to her last day")
	st.AdvanceTo(domain.MustDate("2016-06-01"))
	v, ok := st.VacancyOf(domain.MustCouncil("great-yarmouth"), domain.ChiefFinanceOfficer)
	require.True(t, ok, "vacant from the day after her last day")
	assert.Equal(t, "2016-06-01", v.Since.String())
	assert.Equal(t, "Karen Sly", v.Officer.Name)

	b.ok(cmd(domain.TypeStatutoryRoleDesignated, "2016-06-10", `{"council":"great-yarmouth","role":"chief_finance_officer","officer":{"name":"Jane Doe"}}`))
	_, ok = folded(b).VacancyOf(domain.MustCouncil("great-yarmouth"), domain.ChiefFinanceOfficer)
	assert.False(t, ok, "a designation fills it")

	b.ok(cmd(domain.TypePartnershipDissolved, "2016-10-01", `{"reason":"ended"}`))
	st = folded(b)
	require.NotNil(t, st.Dissolution)
	assert.Equal(t, "2016-10-01", st.Dissolution.On.String())
	require.Len(t, st.Dissolution.Appointments, 2, "Karen Sly's appointment, serving North Norfolk, and Jane Doe's designation ended with it")
	assert.Equal(t, "chief-finance-officer", st.Dissolution.Appointments[0].Post)
	assert.Len(t, st.Dissolution.Roles, 2, "Karen Sly at North Norfolk, Jane Doe at Great Yarmouth")
	assert.Len(t, st.Vacancies, 2)
	for _, v := range st.Vacancies {
		assert.Equal(t, "2016-10-01", v.Since.String())
	}
}

// Councils recording different outcomes for one review disagree; the same outcome however spelled
// does not.
func TestOutcomeConflicts(t *testing.T) {
	s := domain.NewState()
	add := func(council, outcome string) {
		s.Outcomes = append(s.Outcomes, domain.ReviewOutcome{ReviewOutcomeRecorded: domain.ReviewOutcomeRecorded{Review: "june-2016",
			Council: domain.MustCouncil(council), Outcome: outcome}})
	}
	add("great-yarmouth", "make_permanent")
	add("north-norfolk", "make permanent")
	assert.Empty(t, s.OutcomeConflicts())
	s.Outcomes = s.Outcomes[:1]
	add("north-norfolk", "terminate")
	c := s.OutcomeConflicts()
	require.Len(t, c, 1)
	assert.Equal(t, "june-2016", c[0].Review)
	assert.Len(t, c[0].Outcomes, 2)
}
