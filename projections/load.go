package projections

import (
	"context"
	"fmt"
	"iter"
	"runtime"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Reader is what CatchUp needs of a store: eventstore.Store satisfies it.
type Reader interface {
	ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error]
}

// loadBatch is how many events CatchUp decodes per job and applies per lock.
const loadBatch = 2048

// CatchUp folds every event after Seq up to the current end of src's log, decoding payloads on every
// CPU while keeping seq order. It is the fast path for a rebuild; a Runner then follows from where it
// stopped. It returns ctx's error if ctx ends first, or the store's error (wrapped). Do not run it
// alongside a Runner on the same Models.
func (m *Models) CatchUp(ctx context.Context, src Reader) error {
	type job struct {
		events  []eventstore.Event
		entries []entry
		slugs   []string
		isPart  []bool
		done    chan struct{}
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *job, workers*2)
	ordered := make(chan *job, workers*2)
	// Jobs go round: a batch's memory is reused once its events are applied, so a rebuild does not
	// allocate (and collect) a batch of events and entries per 2,048 events.
	free := make(chan *job, workers*2+2)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	for range workers {
		go func() {
			for j := range work {
				for i := range j.events {
					j.entries[i], j.slugs[i], j.isPart[i] = m.decodeEntry(j.events[i])
				}
				close(j.done)
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		var rerr error
		defer func() { readErr <- rerr }()
		defer close(work)
		defer close(ordered)
		newJob := func() *job {
			select {
			case j := <-free:
				j.events, j.done = j.events[:0], make(chan struct{})
				return j
			default:
				return &job{events: make([]eventstore.Event, 0, loadBatch), entries: make([]entry, loadBatch),
					slugs: make([]string, loadBatch), isPart: make([]bool, loadBatch), done: make(chan struct{})}
			}
		}
		j := newJob()
		flush := func() bool {
			if len(j.events) == 0 {
				return true
			}
			full := j
			j = newJob()
			select {
			case work <- full:
			case <-ctx.Done():
				return false
			}
			select {
			case ordered <- full:
			case <-ctx.Done():
				return false
			}
			return true
		}
		for e, err := range src.ReadAll(ctx, m.Seq(), eventstore.Forward, 0) {
			if err != nil {
				rerr = err
				return
			}
			j.events = append(j.events, e)
			if len(j.events) == loadBatch && !flush() {
				return
			}
		}
		flush()
	}()

	tuned := false
	defer func() {
		if tuned {
			catchUpGC.leave()
		}
	}()
	for j := range ordered {
		<-j.done
		n := len(j.events)
		if n == loadBatch { // a long catch-up: collect less often (gc.go)
			if !tuned {
				catchUpGC.enter()
				tuned = true
			}
			catchUpGC.check()
		}
		if err := m.applyBatch(j.events, j.entries[:n], j.slugs[:n], j.isPart[:n]); err != nil {
			return err
		}
		clear(j.events) // what the models keep was copied out; let the rest be collected
		clear(j.entries[:n])
		select {
		case free <- j:
		default:
		}
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("projections: read the log after seq %d: %w", m.Seq(), err)
	}
	return ctx.Err()
}

// Load returns models folded from every event in src: a rebuild from zero. Errors as for CatchUp.
func Load(ctx context.Context, src Reader, opts Options) (*Models, error) {
	m := NewModels(opts)
	if err := m.CatchUp(ctx, src); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Models) applyBatch(events []eventstore.Event, entries []entry, slugs []string, isPart []bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	start := m.seq
	defer func() {
		if m.seq != start {
			close(m.advanced)
			m.advanced = make(chan struct{})
		}
	}()
	for i, e := range events {
		if e.Seq <= m.seq {
			continue
		}
		if err := m.checkNext(e.Seq); err != nil {
			return err
		}
		m.appendLocked(e, entries[i], slugs[i], isPart[i])
	}
	return nil
}
