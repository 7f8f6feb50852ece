package projections

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
)

// referenceView is the plain definition effectiveFor must agree with: domain.EffectiveView over the
// whole prefix, then the events in effect on d.
func referenceView(entries []entry, d domain.Date) []effEvent {
	all := effective(entries)
	n, _ := slices.BinarySearchFunc(all, d.AddDays(1), func(e effEvent, target domain.Date) int {
		if e.eff.Before(target) {
			return -1
		}
		return 1
	})
	return all[:n]
}

// TestEffectiveForMatchesEffectiveView builds random histories — back-dated events, corrections that
// move events to other dates, retractions, corrections of retracted events, of corrections and of
// unknown ids — and checks that the view of every prefix, on several dates, is exactly the reference.
func TestEffectiveForMatchesEffectiveView(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := NewModels(Options{})
		base := domain.MustDate("2015-11-07")
		var ids []uuid.UUID
		n := 20 + rng.IntN(120)
		for i := range n {
			e := entry{seq: uint64(i + 1), id: uuid.New(), eff: base.AddDays(rng.IntN(400)), certainty: "confirmed"}
			switch r := rng.IntN(10); {
			case r < 2 && len(ids) > 0:
				target := ids[rng.IntN(len(ids))]
				if rng.IntN(8) == 0 {
					target = uuid.New() // not in the stream: ignored
				}
				date := base.AddDays(rng.IntN(400))
				e.typ, e.payload = domain.TypeEventCorrected, domain.EventCorrected{Target: target, EffectiveOn: date, Certainty: domain.Reported}
			case r < 3 && len(ids) > 0:
				e.typ, e.payload = domain.TypeEventRetracted, domain.EventRetracted{Target: ids[rng.IntN(len(ids))], Reason: domain.RetractDuplicate}
			default:
				e.typ, e.payload = domain.TypeDecisionTaken, domain.DecisionTaken{Resolution: "r", Outcome: "approved"}
			}
			ids = append(ids, e.id) // corrections too: a correction of a correction is ignored
			m.mu.Lock()
			m.appendLocked(eventstore.Event{Seq: e.seq, RecordedAt: time.Unix(int64(i), 0)}, e, "p", true)
			m.mu.Unlock()
		}
		snap, ok := m.snapshot("p")
		require.True(t, ok)
		for k := 0; k <= n; k++ {
			for _, d := range []domain.Date{base.AddDays(-1), base.AddDays(100), base.AddDays(250), base.AddDays(400)} {
				got := slices.Collect(snap.p.effectiveFor(snap, k, d))
				want := referenceView(snap.entries[:k], d)
				if len(want) == 0 {
					require.Empty(t, got, "seed %d prefix %d as of %s", seed, k, d)
					continue
				}
				require.Equal(t, want, got, "seed %d prefix %d as of %s", seed, k, d)
			}
		}
	}
}
