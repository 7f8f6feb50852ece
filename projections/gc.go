package projections

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The garbage collector during a catch-up. A rebuild allocates about a kilobyte an event, most of it
// garbage within its batch, while what the models keep grows to a few hundred bytes an event. At the
// default GOGC (100) the collector runs each time the heap doubles and marks everything kept so far
// each time: about a tenth of a rebuild's CPU (docs/benchmarks.md). While catch-ups of more than one
// batch run, the collector lets the heap grow to five times what is live (GOGC 400) but keeps the
// process within catchUpMemory (a soft memory limit, so the heap of a server that has loaded a
// million events stays near a gibibyte, not five times its size); it gives both up, for the rest of
// the catch-up, once what is live passes half of catchUpMemory, where the limit would make it collect
// more often rather than less. A GOGC or GOMEMLIMIT the process already set that asks for less
// collecting or less memory is kept as it is.
const (
	catchUpGCPercent = 400
	catchUpMemory    = 1 << 30
)

// catchUpGC counts the catch-ups running (several may: a server's and a review pack's) and holds what
// the first one changed, to put back when the last one ends. It is safe for concurrent use.
var catchUpGC gcTuning

type gcTuning struct {
	mu      sync.Mutex
	running int
	tuned   bool  // the settings below are to be put back
	percent int   // GOGC before
	limit   int64 // the memory limit before
	live    []metrics.Sample
}

// enter counts a catch-up in and tunes the collector if it is the first.
func (g *gcTuning) enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running++
	if g.running > 1 {
		return
	}
	percent := debug.SetGCPercent(catchUpGCPercent)
	if percent < 0 || percent >= catchUpGCPercent { // off, or already collecting less often
		debug.SetGCPercent(percent)
		return
	}
	g.tuned, g.percent, g.limit = true, percent, debug.SetMemoryLimit(-1)
	if g.limit > catchUpMemory {
		debug.SetMemoryLimit(catchUpMemory)
	}
	if g.live == nil {
		g.live = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	}
}

// check puts the settings back early once the live heap (as of the last collection) passes half of
// catchUpMemory.
func (g *gcTuning) check() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.tuned {
		return
	}
	metrics.Read(g.live)
	if v := g.live[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > catchUpMemory/2 {
		g.restore()
	}
}

// leave counts a catch-up out and puts the settings back after the last one.
func (g *gcTuning) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	if g.running == 0 {
		g.restore()
	}
}

func (g *gcTuning) restore() {
	if g.tuned {
		debug.SetGCPercent(g.percent)
		debug.SetMemoryLimit(g.limit)
		g.tuned = false
	}
}
