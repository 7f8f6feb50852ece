package projections_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
)

// nameBook records commands through domain/recording (Decide, then the store) and folds the log into
// Models, for the name case of issue 19 on the query path.
type nameBook struct {
	t     *testing.T
	store *memstore.Store
	rec   *recording.Service
	day   time.Time
}

func newNameBook(t *testing.T) *nameBook {
	s := memstore.New(memstore.Options{})
	b := &nameBook{t: t, store: s, day: time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC)}
	b.rec = recording.New(s, func() time.Time { b.day = b.day.Add(time.Hour); return b.day })
	b.ok(domain.TypePartnershipProposed, "2015-10-01", `{"name":"GY and NN","purpose":"share senior managers","partners":[
	  {"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},
	  {"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}]}`)
	b.ok(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer": {"name": "Karen Sly"}, "post": "chief-finance-officer",
	  "statutory_role": "chief_finance_officer", "employing_council": "north-norfolk",
	  "councils": [{"council": "great-yarmouth", "time_share_basis_points": 5000}, {"council": "north-norfolk", "time_share_basis_points": 5000}],
	  "basis": "interim", "starts_on": "2015-11-07"}`)
	return b
}

func (b *nameBook) command(typ, eff, data string) domain.Command {
	return domain.Command{Partnership: "gy-nn", Type: typ, EffectiveOn: eff, Certainty: "confirmed",
		Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}, Data: json.RawMessage(data)}
}

func (b *nameBook) ok(typ, eff, data string) {
	b.t.Helper()
	_, err := b.rec.Record(context.Background(), "test", b.command(typ, eff, data), nil)
	require.NoError(b.t, err)
}

func (b *nameBook) refused(typ, eff, data string) {
	b.t.Helper()
	_, err := b.rec.Record(context.Background(), "test", b.command(typ, eff, data), nil)
	require.ErrorIs(b.t, err, domain.ErrValidation)
}

// appointments asks loaded Models and long-lived ones fed event by event (the cached, incremental
// path) for the appointments in effect on asOf, and checks they agree.
func (b *nameBook) appointments(asOf string) []projections.Appointment {
	b.t.Helper()
	loaded, err := projections.Load(context.Background(), b.store, projections.Options{})
	require.NoError(b.t, err)
	q, err := projections.ParseQuery(asOf, "")
	require.NoError(b.t, err)
	st, err := loaded.State("gy-nn", q)
	require.NoError(b.t, err)

	live := projections.NewModels(projections.Options{})
	for e, err := range b.store.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(b.t, err)
		require.NoError(b.t, live.Apply(e))
		_, err := live.State("gy-nn", q) // warm the caches at every prefix
		require.NoError(b.t, err)
	}
	again, err := live.State("gy-nn", q)
	require.NoError(b.t, err)
	require.Equal(b.t, st.Appointments, again.Appointments)
	return st.Appointments
}

func councilsOf(a projections.Appointment) []string {
	var out []string
	for _, c := range a.Councils {
		out = append(out, c.Council)
	}
	return out
}

func TestNameCaseOnTheQueryPath(t *testing.T) {
	t.Run("ending karen  SLY as Chief-Finance-Officer at Great Yarmouth ends her appointment there", func(t *testing.T) {
		b := newNameBook(t)
		b.ok(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"karen  SLY"},"post":"Chief-Finance-Officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"resignation"}`)
		before := b.appointments("2016-09-29")
		require.Len(t, before, 1)
		assert.Equal(t, []string{"great-yarmouth", "north-norfolk"}, councilsOf(before[0]))
		assert.True(t, before[0].Councils[0].LastDay.IsZero(), "the end is not in effect before its date")
		// On her last day she still serves Great Yarmouth, with the role; the view gives the last day.
		last := b.appointments("2016-09-30")
		require.Len(t, last, 1)
		assert.Equal(t, []string{"great-yarmouth", "north-norfolk"}, councilsOf(last[0]))
		assert.Equal(t, domain.MustDate("2016-09-30"), last[0].Councils[0].LastDay)
		assert.True(t, last[0].Councils[1].LastDay.IsZero())
		assert.Len(t, last[0].Roles, 2, "her s151 role at Great Yarmouth is held on her last day")
		assert.Len(t, last[0].Evidence, 2, "the appointment and its ending")
		after := b.appointments("2016-10-01")
		require.Len(t, after, 1)
		assert.Equal(t, "Karen Sly", after[0].Officer)
		assert.Equal(t, []string{"north-norfolk"}, councilsOf(after[0]))
		require.Len(t, after[0].Roles, 1, "her s151 role at Great Yarmouth ends with the appointment there")
		assert.Equal(t, "north-norfolk", after[0].Roles[0].Council)
		assert.Len(t, after[0].Evidence, 2, "the appointment and its ending")
	})

	t.Run("a reappointment under a differently spaced name shows one appointment", func(t *testing.T) {
		b := newNameBook(t)
		b.ok(domain.TypeAppointmentEnded, "2016-03-31", `{"officer":{"name":"KAREN  SLY"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth","north-norfolk"],"last_day":"2016-03-31","reason":"end_of_term"}`)
		b.ok(domain.TypeJointAppointmentMade, "2016-04-01", `{"officer": {"name": "karen   sly"}, "post": "Chief-Finance-Officer",
		  "employing_council": "north-norfolk", "councils": [{"council": "north-norfolk", "time_share_basis_points": 10000}],
		  "basis": "permanent", "starts_on": "2016-04-01"}`)
		assert.Len(t, b.appointments("2016-03-31"), 1, "in force on its last day")
		after := b.appointments("2016-04-01")
		require.Len(t, after, 1)
		assert.Equal(t, "karen   sly", after[0].Officer)
		assert.Equal(t, domain.MustDate("2016-04-01"), after[0].Since)
		assert.Equal(t, []string{"north-norfolk"}, councilsOf(after[0]))
	})

	t.Run("the converse: names that differ in more than case and spacing stay apart in both", func(t *testing.T) {
		b := newNameBook(t)
		b.refused(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"Karen Slye"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"resignation"}`)
		b.ok(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer": {"name": "Karen Slye"}, "post": "chief-finance-officer",
		  "employing_council": "great-yarmouth", "councils": [{"council": "great-yarmouth", "time_share_basis_points": 2000}],
		  "basis": "interim", "starts_on": "2015-11-07"}`)
		assert.Len(t, b.appointments("2016-01-01"), 2)
		b.ok(domain.TypeAppointmentEnded, "2016-09-30", `{"officer":{"name":"KAREN SLYE"},"post":"chief-finance-officer",
		  "councils":["great-yarmouth"],"last_day":"2016-09-30","reason":"resignation"}`)
		assert.Len(t, b.appointments("2016-09-30"), 2, "Karen Slye serves on her last day")
		after := b.appointments("2016-10-01")
		require.Len(t, after, 1, "Karen Slye's appointment ended; Karen Sly's did not")
		assert.Equal(t, "Karen Sly", after[0].Officer)
		assert.Equal(t, []string{"great-yarmouth", "north-norfolk"}, councilsOf(after[0]))
	})
}

// Money that was not recorded is absent from the view (JSON null), never 0.
func TestAbsentMoneyIsNull(t *testing.T) {
	b := newNameBook(t)
	b.ok(domain.TypeOneOffCostIncurred, "2015-12-01", `{"council":"north-norfolk","financial_year":2015,"category":"implementation","amount_pence":0}`)
	q, err := projections.ParseQuery("2016-01-01", "")
	require.NoError(t, err)
	m, err := projections.Load(context.Background(), b.store, projections.Options{})
	require.NoError(t, err)
	st, err := m.State("gy-nn", q)
	require.NoError(t, err)
	require.Len(t, st.Savings.Years, 1)
	cs := st.Savings.Years[0].Councils[0]
	assert.Nil(t, cs.TargetPence)
	assert.Nil(t, cs.ForecastPence)
	assert.Nil(t, cs.OutturnPence)
	assert.Nil(t, cs.NetPence)
	assert.Nil(t, cs.AgainstTargetPence)
	require.NotNil(t, cs.OneOffCostsPence, "a one-off cost of £0 was recorded: 0, not absent")
	assert.Equal(t, domain.Pence(0), *cs.OneOffCostsPence)
	body, err := json.Marshal(cs)
	require.NoError(t, err)
	assert.Contains(t, string(body), `"target_pence":null,"forecast_pence":null,"outturn_pence":null,"has_outturn":false,"one_off_costs_pence":0,"net_pence":null,"against_target_pence":null`)
}

// A timeline names councils as the ledger knew them at its known_at: a council that rejoins under
// another name keeps its first name in a timeline known before the rejoining.
func TestTimelineNamesCouncilsAsKnown(t *testing.T) {
	b := newNameBook(t)
	b.ok(domain.TypeCouncilJoinedPartnership, "2016-01-01", `{"council":{"council":"broadland","name":"Broadland DC","kind":"district"}}`)
	b.ok(domain.TypeWithdrawalNoticeGiven, "2016-02-01", `{"council":"broadland","notice_days":0,"proposed_end":"2016-02-01"}`)
	b.ok(domain.TypeCouncilWithdrew, "2016-02-01", `{"council":"broadland","reason":"left"}`)
	m, err := projections.Load(context.Background(), b.store, projections.Options{})
	require.NoError(t, err)
	withdrew := func(known string) string {
		q, err := projections.ParseQuery("2016-12-31", known)
		require.NoError(t, err)
		tl, err := m.Timeline("gy-nn", q)
		require.NoError(t, err)
		for _, e := range tl.Entries {
			if e.Type == domain.TypeCouncilWithdrew {
				return e.Description
			}
		}
		return ""
	}
	before := withdrew("")
	assert.Contains(t, before, "Broadland DC")
	b.ok(domain.TypeCouncilJoinedPartnership, "2016-06-01", `{"council":{"council":"broadland","name":"Broadland District Council","kind":"district"}}`)
	m, err = projections.Load(context.Background(), b.store, projections.Options{})
	require.NoError(t, err)
	assert.Contains(t, withdrew(""), "Broadland District Council", "known now: the name it was given last")
	assert.Equal(t, before, withdrew("5"), "known before the rejoining: the name it had then")
}
