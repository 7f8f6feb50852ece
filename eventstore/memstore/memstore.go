// Package memstore is an eventstore.Store held in memory: nothing survives the process. It passes the
// same contract suite (eventstore/storetest) as the durable backends, so tests and tools that need a
// store without a file can use it and meet the same behaviour: exact-revision appends, idempotency by
// id, gap-free seq, sealed hash chains, exclusive cursors, live subscriptions.
//
// FromEvents also gives a store holding events exactly as given, unchecked, for tests and tools that
// examine a log rather than write one (a tampered copy, a million events sealed in memory).
package memstore

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// Now stamps recorded_at on events that do not carry one. Default time.Now.
	Now func() time.Time
}

// Store is an in-memory eventstore.Store. It is safe for concurrent use.
type Store struct {
	now func() time.Time

	mu      sync.Mutex
	events  []eventstore.Event // events[i].Seq == i+1, for stores this package filled
	byID    map[uuid.UUID]int
	streams map[string][]int // indices in events of each stream's events, in revision order
	grown   chan struct{}    // closed and replaced on every append
	closed  bool
	reads   int // ReadStream calls, for tests that count them

	checkpoints eventstore.CheckpointSet
}

var _ eventstore.Store = (*Store)(nil)

// New returns an empty store.
func New(opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{now: opts.Now, byID: map[uuid.UUID]int{}, streams: map[string][]int{}, grown: make(chan struct{})}
}

// FromEvents returns a store holding events exactly as given, in that order: nothing is checked,
// sealed or renumbered. Reads return them as they are; appends go after them.
func FromEvents(events []eventstore.Event, opts Options) *Store {
	s := New(opts)
	s.events = append(s.events, events...)
	for i, e := range s.events {
		s.byID[e.ID] = i
		s.streams[e.Stream] = append(s.streams[e.Stream], i)
	}
	return s
}

// ReadStreamCalls returns how many times ReadStream was called: tests use it to check that a caller
// reads only what it must.
func (s *Store) ReadStreamCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	prepared, err := eventstore.PrepareAppend(stream, events)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}

	// Idempotency: every id stored with the same content answers the stored events.
	var stored []eventstore.Event
	for _, p := range prepared {
		if i, ok := s.byID[p.ID]; ok {
			if !eventstore.SameContent(s.events[i], p) {
				return nil, &eventstore.DuplicateIDError{ID: p.ID, Stream: s.events[i].Stream}
			}
			stored = append(stored, s.events[i])
		}
	}
	if len(stored) > 0 {
		if len(stored) == len(prepared) {
			return stored, nil
		}
		return nil, &eventstore.DuplicateIDError{ID: stored[0].ID, Stream: stored[0].Stream}
	}

	idx := s.streams[stream]
	exists := len(idx) > 0
	var last uint64
	prev := eventstore.ZeroHash
	lastRec := time.Time{}
	if exists {
		e := s.events[idx[len(idx)-1]]
		last, prev = e.Revision, e.Hash
	}
	if n := len(s.events); n > 0 {
		lastRec = s.events[n-1].RecordedAt
	}
	if err := expected.Check(stream, last, exists); err != nil {
		return nil, err
	}
	if len(prepared) == 0 {
		return nil, nil
	}
	now := s.now().UTC().Round(0)
	if now.Before(lastRec) {
		now = lastRec // recorded_at never goes back along seq
	}
	running := lastRec // recorded_at along the append: an explicit one must not go below it
	for _, p := range prepared {
		if p.RecordedAt.IsZero() {
			if running.Before(now) {
				running = now
			}
		} else if p.RecordedAt.Before(running) {
			return nil, eventstore.RecordedAtBeforeError(p.ID, p.RecordedAt, running)
		} else {
			running = p.RecordedAt
		}
	}
	rev := uint64(0)
	if exists {
		rev = last + 1
	}
	out := make([]eventstore.Event, len(prepared))
	for i, p := range prepared {
		p.Seq, p.Revision = uint64(len(s.events))+1, rev+uint64(i)
		if p.RecordedAt.IsZero() {
			p.RecordedAt = now
			if n := len(s.events); n > 0 && now.Before(s.events[n-1].RecordedAt) { // after an explicit one ahead of the clock
				p.RecordedAt = s.events[n-1].RecordedAt
			}
		}
		p = eventstore.Seal(p, prev)
		prev = p.Hash
		s.byID[p.ID] = len(s.events)
		s.streams[stream] = append(s.streams[stream], len(s.events))
		s.events = append(s.events, p)
		out[i] = p
	}
	close(s.grown)
	s.grown = make(chan struct{})
	return out, nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		s.mu.Lock()
		s.reads++
		idx := s.streams[stream]
		var evs []eventstore.Event
		after, set := from.Revision()
		if dir == eventstore.Backward {
			for i := len(idx) - 1; i >= 0; i-- {
				if e := s.events[idx[i]]; !set || e.Revision < after {
					evs = append(evs, e)
				}
			}
		} else {
			for _, i := range idx {
				if e := s.events[i]; !set || e.Revision > after {
					evs = append(evs, e)
				}
			}
		}
		s.mu.Unlock()
		emit(evs, limit, yield)
	}
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		s.mu.Lock()
		n := uint64(len(s.events))
		var evs []eventstore.Event
		if dir == eventstore.Backward {
			end := n // afterSeq 0 reads back from the end; otherwise from just before afterSeq
			if afterSeq > 0 {
				end = min(afterSeq-1, n)
			}
			for i := int(end) - 1; i >= 0; i-- {
				evs = append(evs, s.events[i])
			}
		} else {
			evs = append(evs, s.events[min(afterSeq, n):]...)
		}
		s.mu.Unlock()
		emit(evs, limit, yield)
	}
}

// emit yields evs, at most limit of them when limit > 0.
func emit(evs []eventstore.Event, limit int, yield func(eventstore.Event, error) bool) {
	for i, e := range evs {
		if limit > 0 && i == limit {
			return
		}
		if !yield(e, nil) {
			return
		}
	}
}

// SubscribeAll implements eventstore.Store: it catches up from afterSeq, then follows appends until ctx
// ends (then it yields ctx's error) or the store is closed (eventstore.ErrClosed).
func (s *Store) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		next := afterSeq
		for {
			if err := ctx.Err(); err != nil {
				yield(eventstore.Event{}, err)
				return
			}
			s.mu.Lock()
			batch := s.events[min(next, uint64(len(s.events))):]
			grown, closed := s.grown, s.closed
			s.mu.Unlock()
			for _, e := range batch {
				if !yield(e, nil) {
					return
				}
				next++
			}
			if len(batch) > 0 {
				continue
			}
			if closed {
				yield(eventstore.Event{}, eventstore.ErrClosed)
				return
			}
			select {
			case <-grown:
			case <-ctx.Done():
				yield(eventstore.Event{}, ctx.Err())
				return
			}
		}
	}
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Head, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.Head{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return eventstore.Head{}, nil
	}
	e := s.events[len(s.events)-1]
	return eventstore.Head{Seq: e.Seq, RecordedAt: e.RecordedAt, Hash: e.Hash}, nil
}

// Close implements eventstore.Store: appends fail with eventstore.ErrClosed afterwards, and live
// subscriptions end; what is held can still be read.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.grown)
		s.grown = make(chan struct{})
	}
	return nil
}
