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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	for range workers {
		go func() {
			for j := range work {
				for i, e := range j.events {
					j.entries[i], j.slugs[i], j.isPart[i] = m.decodeEntry(e)
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
		batch := make([]eventstore.Event, 0, loadBatch)
		flush := func() bool {
			if len(batch) == 0 {
				return true
			}
			n := len(batch)
			j := &job{events: batch, entries: make([]entry, n), slugs: make([]string, n), isPart: make([]bool, n), done: make(chan struct{})}
			batch = make([]eventstore.Event, 0, loadBatch)
			select {
			case work <- j:
			case <-ctx.Done():
				return false
			}
			select {
			case ordered <- j:
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
			batch = append(batch, e)
			if len(batch) == loadBatch && !flush() {
				return
			}
		}
		flush()
	}()

	for j := range ordered {
		<-j.done
		if err := m.applyBatch(j.events, j.entries, j.slugs, j.isPart); err != nil {
			return err
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
