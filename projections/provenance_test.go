package projections_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// TestTimelineCarriesProvenance: the timeline gives each event's sources and certainty as in effect
// (a correction may replace both), its payload, and the corrections and retractions known; the state
// names every council its events named. A review pack reads these instead of the events' JSON.
func TestTimelineCarriesProvenance(t *testing.T) {
	gy, nn := domain.MustCouncil("great-yarmouth"), domain.MustCouncil("north-norfolk")
	press := domain.SourceRef{Kind: domain.SourcePress, Title: "Shared chief executive", Published: domain.MustDate("2015-12-18")}
	report := domain.SourceRef{Kind: domain.SourceReport, Title: "Outturn report 2015/16", Published: domain.MustDate("2016-07-01")}
	minute := domain.MinuteRef{Council: gy, Body: "cabinet", Meeting: domain.MustDate("2015-12-01"), Raw: "Cabinet 1 December 2015, item 4"}
	id := func(n int) uuid.UUID { return uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "provenance/%d", n)) }
	var log []eventstore.Event
	add := func(eff string, c domain.Certainty, sources []domain.SourceRef, p domain.Payload) {
		data, err := domain.EncodePayload(p)
		require.NoError(t, err)
		src, err := json.Marshal(sources)
		require.NoError(t, err)
		n := len(log) + 1
		log = append(log, eventstore.Event{ID: id(n), Seq: uint64(n), Revision: uint64(n - 1), Stream: domain.StreamPrefix + "gy-nn",
			Type: p.EventType(), Schema: domain.CurrentSchema, EffectiveOn: eff, RecordedAt: t0.Add(time.Duration(n) * time.Hour),
			Certainty: string(c), Sources: src, Data: data})
	}
	add("2015-10-07", domain.Reported, []domain.SourceRef{press}, domain.PartnershipProposed{Name: "Shared management", Purpose: "share officers",
		Partners: []domain.Council{{Council: gy, Name: "Great Yarmouth Borough Council", Kind: "borough"}, {Council: nn, Name: "North Norfolk District Council", Kind: "district"}}})
	add("2015-12-18", domain.Reported, []domain.SourceRef{press}, domain.SavingsReported{Council: nn, FinancialYear: 2015, Category: "shared management",
		AmountPence: 4000000, Status: domain.SavingsForecast, PeriodTo: domain.MustDate("2016-03-31")})
	add("2016-07-01", domain.Confirmed, []domain.SourceRef{report}, domain.EventCorrected{Target: id(2), Data: json.RawMessage(`{"amount_pence":3500000}`),
		Sources: []domain.SourceRef{report}, Certainty: domain.Confirmed, Reason: "the council's own report"})
	add("2015-12-01", domain.Confirmed, nil, domain.DecisionTaken{Minute: minute, Resolution: "To note", Outcome: "approved"})
	add("2016-07-02", domain.Confirmed, nil, domain.EventRetracted{Target: id(4), Reason: domain.RetractDuplicate})

	m := projections.NewModels(projections.Options{})
	for _, e := range log {
		require.NoError(t, m.Apply(e))
	}

	// What the correction changed, field by field, from the fold's own reading (domain.Correct).
	changes := []projections.CorrectedChange{
		{Field: "amount_pence", Before: json.RawMessage(`4000000`), After: json.RawMessage(`3500000`)},
		{Field: "sources", Before: mustJSON(t, []domain.SourceRef{press}), After: mustJSON(t, []domain.SourceRef{report})},
		{Field: "certainty", Before: json.RawMessage(`"reported"`), After: json.RawMessage(`"confirmed"`)},
	}

	t.Run("as corrected", func(t *testing.T) {
		tl, err := m.Timeline("gy-nn", projections.Query{AsOf: domain.MustDate("2020-01-01")})
		require.NoError(t, err)
		require.Len(t, tl.Entries, 2, "the retracted decision is left out")
		assert.Equal(t, []domain.SourceRef{press}, tl.Entries[0].Sources)
		saving := tl.Entries[1]
		assert.Equal(t, []domain.SourceRef{report}, saving.Sources, "the correction's sources")
		assert.Equal(t, "confirmed", saving.Certainty)
		assert.True(t, saving.Corrected)
		require.IsType(t, domain.SavingsReported{}, saving.Payload)
		assert.Equal(t, domain.Pence(3500000), saving.Payload.(domain.SavingsReported).AmountPence)
		assert.Equal(t, []projections.Correction{
			{Seq: 3, ID: id(3), Type: domain.TypeEventCorrected, Target: id(2), Reason: "the council's own report", Changes: changes,
				Sources: []domain.SourceRef{report}, Certainty: "confirmed", TargetSeq: 2, TargetOn: domain.MustDate("2015-12-18")},
			{Seq: 5, ID: id(5), Type: domain.TypeEventRetracted, Target: id(4), Reason: domain.RetractDuplicate, Certainty: "confirmed",
				Retracted: "Cabinet 1 December 2015, item 4 (Great Yarmouth Borough Council, approved): To note",
				TargetSeq: 4, TargetOn: domain.MustDate("2015-12-01")},
		}, tl.Corrections, "a retraction carries what the retracted event said")

		st, err := m.State("gy-nn", projections.Query{AsOf: domain.MustDate("2020-01-01")})
		require.NoError(t, err)
		assert.Equal(t, words.Names{gy: "Great Yarmouth Borough Council", nn: "North Norfolk District Council"}, st.Councils)
	})

	t.Run("before the corrections were recorded", func(t *testing.T) {
		tl, err := m.Timeline("gy-nn", projections.Query{AsOf: domain.MustDate("2020-01-01"), KnownAt: projections.KnownAtSeq(2)})
		require.NoError(t, err)
		require.Len(t, tl.Entries, 2)
		saving := tl.Entries[1]
		assert.Equal(t, []domain.SourceRef{press}, saving.Sources, "as recorded")
		assert.Equal(t, "reported", saving.Certainty)
		assert.False(t, saving.Corrected)
		assert.Empty(t, tl.Corrections)

		tl, err = m.Timeline("gy-nn", projections.Query{AsOf: domain.MustDate("2020-01-01"), KnownAt: projections.KnownAtSeq(4)})
		require.NoError(t, err)
		require.Len(t, tl.Entries, 3, "the decision, not yet retracted")
		assert.Equal(t, domain.TypeDecisionTaken, tl.Entries[1].Type)
		assert.Equal(t, []domain.MinuteRef{minute}, words.Minutes(tl.Entries[1].Payload))
		assert.Equal(t, []projections.Correction{{Seq: 3, ID: id(3), Type: domain.TypeEventCorrected, Target: id(2), Reason: "the council's own report", Changes: changes,
			Sources: []domain.SourceRef{report}, Certainty: "confirmed", TargetSeq: 2, TargetOn: domain.MustDate("2015-12-18")}}, tl.Corrections)
	})
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
