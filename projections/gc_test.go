package projections

import (
	"context"
	"runtime/debug"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain/refdata"
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
