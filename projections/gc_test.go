package projections

import (
	"context"
	"encoding/json"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain/refdata"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// gcSettings returns GOGC and the memory limit without changing them.
func gcSettings() (int, int64) {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p, debug.SetMemoryLimit(-1)
}

// TestCatchUpPutsTheCollectorBack: a long catch-up tunes the collector while it runs and puts GOGC and
// the memory limit back when it ends, however many run at once, and keeps settings that already ask
// for less collecting or less memory (gc.go).
func TestCatchUpPutsTheCollectorBack(t *testing.T) {
	s := memstore.New(memstore.Options{})
	require.NoError(t, refdata.Generate(context.Background(), s, refdata.Options{Partnerships: 2, Events: 3 * loadBatch}))
	percent, limit := gcSettings()
	defer func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) }()

	for _, c := range []struct {
		name    string
		percent int
		limit   int64
	}{
		{"defaults", 100, limit},
		{"a lower limit of the process's own", 100, 256 << 20},
		{"collection off", -1, limit},
		{"a higher GOGC of the process's own", 800, limit},
	} {
		t.Run(c.name, func(t *testing.T) {
			debug.SetGCPercent(c.percent)
			debug.SetMemoryLimit(c.limit)
			var wg sync.WaitGroup
			for range 3 { // at once: the last to end puts the settings back
				wg.Go(func() {
					m, err := Load(context.Background(), s, Options{})
					assert.NoError(t, err)
					assert.Equal(t, uint64(3*loadBatch), m.Seq())
				})
			}
			wg.Wait()
			p, l := gcSettings()
			assert.Equal(t, c.percent, p)
			assert.Equal(t, c.limit, l)
		})
	}

	var g gcTuning
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(limit)
	g.enter()
	g.enter()
	p, l := gcSettings()
	assert.Equal(t, catchUpGCPercent, p, "tuned while a catch-up runs")
	assert.Equal(t, min(limit, catchUpMemory), l)
	g.leave()
	p, _ = gcSettings()
	assert.Equal(t, catchUpGCPercent, p, "still tuned: one catch-up runs")
	g.leave()
	p, l = gcSettings()
	assert.Equal(t, 100, p)
	assert.Equal(t, limit, l)
}

// TestCatchUpOfManyBatchesMatchesApply: a catch-up of several batches (whose memory it reuses, and
// during which the collector is tuned) gives the same views as applying the events one at a time.
func TestCatchUpOfManyBatchesMatchesApply(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	require.NoError(t, refdata.Generate(ctx, s, refdata.Options{Partnerships: 3, Events: 5*loadBatch + 17}))
	now := func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	loaded, err := Load(ctx, s, Options{Now: now})
	require.NoError(t, err)
	applied := NewModels(Options{Now: now})
	for e, err := range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		require.NoError(t, applied.Apply(e))
	}
	require.Equal(t, applied.Seq(), loaded.Seq())
	asJSON := func(v any, err error) string {
		if err != nil {
			return "error: " + err.Error() // a partnership not yet known at known_at: the same error
		}
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	require.Len(t, loaded.Slugs(), 3)
	for _, q := range []struct{ asOf, knownAt string }{{"", ""}, {"2018-06-30", ""}, {"2017-03-31", "4000"}, {"2020-12-31", "9000"}} {
		query, err := ParseQuery(q.asOf, q.knownAt)
		require.NoError(t, err)
		for _, slug := range loaded.Slugs() {
			assert.Equal(t, asJSON(applied.State(slug, query)), asJSON(loaded.State(slug, query)), "%s at %+v", slug, q)
			assert.Equal(t, asJSON(applied.Timeline(slug, query)), asJSON(loaded.Timeline(slug, query)), "%s timeline at %+v", slug, q)
		}
	}
}
