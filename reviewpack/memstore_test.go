package reviewpack_test

import (
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// memStore is a small in-memory eventstore.Store for these tests: it prepares, seals and numbers
// events as a real backend does. SubscribeAll yields what is stored and stops (nothing here follows
// a live log).
type memStore struct {
	mu     sync.Mutex
	events []eventstore.Event
	byID   map[uuid.UUID]int
	heads  map[string]int // stream → index of its last event
}

var _ eventstore.Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{byID: map[uuid.UUID]int{}, heads: map[string]int{}} }

func (s *memStore) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prepared := make([]eventstore.Event, len(events))
	allDup := true
	for i, e := range events {
		e.Stream = stream
		p, err := eventstore.Prepare(e)
		if err != nil {
			return nil, err
		}
		prepared[i] = p
		if j, ok := s.byID[p.ID]; ok {
			if !eventstore.SameContent(s.events[j], p) {
				return nil, &eventstore.DuplicateIDError{ID: p.ID, Stream: s.events[j].Stream}
			}
		} else {
			allDup = false
		}
	}
	if allDup {
		out := make([]eventstore.Event, len(prepared))
		for i, p := range prepared {
			out[i] = s.events[s.byID[p.ID]]
		}
		return out, nil
	}
	last, exists := s.heads[stream]
	var lastRev uint64
	prev := eventstore.ZeroHash
	if exists {
		lastRev, prev = s.events[last].Revision, s.events[last].Hash
	}
	if err := expected.Check(stream, lastRev, exists); err != nil {
		return nil, err
	}
	out := make([]eventstore.Event, 0, len(prepared))
	for i, p := range prepared {
		p.Revision = uint64(i)
		if exists {
			p.Revision = lastRev + 1 + uint64(i)
		}
		p.Seq = uint64(len(s.events)) + 1
		p = eventstore.Seal(p, prev)
		prev = p.Hash
		s.events = append(s.events, p)
		s.byID[p.ID] = len(s.events) - 1
		s.heads[stream] = len(s.events) - 1
		out = append(out, p)
	}
	return out, nil
}

func (s *memStore) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		s.mu.Lock()
		var evs []eventstore.Event
		after, set := from.Revision()
		for _, e := range s.events {
			if e.Stream != stream {
				continue
			}
			if set && ((dir == eventstore.Forward && e.Revision <= after) || (dir == eventstore.Backward && e.Revision >= after)) {
				continue
			}
			evs = append(evs, e)
		}
		s.mu.Unlock()
		if dir == eventstore.Backward {
			slices.Reverse(evs)
		}
		yieldAll(evs, limit, yield)
	}
}

func (s *memStore) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		s.mu.Lock()
		var evs []eventstore.Event
		if dir == eventstore.Forward {
			evs = slices.Clone(s.events[min(afterSeq, uint64(len(s.events))):])
		} else {
			end := uint64(len(s.events))
			if afterSeq > 0 {
				end = min(afterSeq-1, end)
			}
			evs = slices.Clone(s.events[:end])
			slices.Reverse(evs)
		}
		s.mu.Unlock()
		yieldAll(evs, limit, yield)
	}
}

func yieldAll(evs []eventstore.Event, limit int, yield func(eventstore.Event, error) bool) {
	for i, e := range evs {
		if limit > 0 && i == limit {
			return
		}
		if !yield(e, nil) {
			return
		}
	}
}

func (s *memStore) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return s.ReadAll(ctx, afterSeq, eventstore.Forward, 0)
}

func (s *memStore) Head(ctx context.Context) (eventstore.Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return eventstore.Head{}, nil
	}
	e := s.events[len(s.events)-1]
	return eventstore.Head{Seq: e.Seq, RecordedAt: e.RecordedAt, Hash: e.Hash}, nil
}

func (s *memStore) Close() error { return nil }
