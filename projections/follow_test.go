package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/projections"
)

// TestRunnerFollowingMatchesRebuild records random valid commands from several goroutines while a
// Runner follows the store live, then checks that read models rebuilt from zero are identical.
func TestRunnerFollowingMatchesRebuild(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), bolt.Options{})
	require.NoError(t, err)
	defer store.Close()
	_, err = demo.SeedStore(ctx, store)
	require.NoError(t, err)

	now := func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	live := projections.NewModels(projections.Options{Now: now})
	runner := projections.NewRunner(store, live)
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()

	rec := recording.New(store, nil)
	councils := []string{"north-norfolk", "great-yarmouth", "kings-lynn-west-norfolk"}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := range 40 {
				council := councils[rng.IntN(len(councils))]
				day := fmt.Sprintf("2016-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
				var typ, data string
				switch rng.IntN(3) {
				case 0:
					typ, data = domain.TypeSavingsTargetSet, fmt.Sprintf(`{"council":%q,"financial_year":2016,"category":"c%d","amount_pence":%d}`, council, rng.IntN(4), rng.IntN(1e6))
				case 1:
					typ, data = domain.TypeOneOffCostIncurred, fmt.Sprintf(`{"council":%q,"financial_year":2016,"category":"setup","amount_pence":%d}`, council, rng.IntN(1e5))
				default:
					typ, data = domain.TypeDecisionTaken, fmt.Sprintf(`{"minute":{"council":%q,"body":"cabinet","meeting":%q,"item":"w%d-%d","raw":"Cabinet item w%d-%d"},"resolution":"To note","outcome":"approved","key_decision":false,"call_in_applies":true}`, council, day, w, i, w, i)
				}
				_, err := rec.Record(ctx, "tester", domain.Command{Partnership: demo.NorfolkRevenuesBenefits, Type: typ, EffectiveOn: day,
					Sources: []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Cabinet"}}, Certainty: "confirmed", Data: json.RawMessage(data)}, nil)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	head, err := store.Head(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(len(demo.Commands())+4*40), head.Seq, "every random command was recorded")
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	require.NoError(t, live.WaitFor(wctx, head.Seq))

	rebuilt, err := projections.Load(ctx, store, projections.Options{Now: now})
	require.NoError(t, err)
	asJSON := func(v any, err error) string {
		require.NoError(t, err)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	for _, q := range []struct{ asOf, knownAt string }{{"", ""}, {"2016-06-30", ""}, {"2016-03-31", "20"}, {"2016-12-31", fmt.Sprint(head.Seq - 50)}} {
		query, err := projections.ParseQuery(q.asOf, q.knownAt)
		require.NoError(t, err)
		require.Equal(t, asJSON(rebuilt.List(query)), asJSON(live.List(query)), "list at %+v", q)
		for _, slug := range rebuilt.Slugs() {
			require.Equal(t, asJSON(rebuilt.State(slug, query)), asJSON(live.State(slug, query)), "%s at %+v", slug, q)
			require.Equal(t, asJSON(rebuilt.Timeline(slug, query)), asJSON(live.Timeline(slug, query)), "%s timeline at %+v", slug, q)
		}
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}
