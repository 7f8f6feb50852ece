package recording_test

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// memStore is a small in-memory eventstore.Store for these tests: it prepares, seals and numbers
// events as a real backend does, and SubscribeAll catches up then follows.
type memStore struct {
	mu     sync.Mutex
	events []eventstore.Event
	byID   map[uuid.UUID]int
	heads  map[string]int // stream -> index of its last event
	grown  chan struct{}
	now    func() time.Time
	reads  int
}

var _ eventstore.Store = (*memStore)(nil)

func newMemStore() *memStore {
	t0 := time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	return &memStore{
		byID: map[uuid.UUID]int{}, heads: map[string]int{}, grown: make(chan struct{}),
		now: func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) },
	}
}

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
		if _, dup := s.byID[p.ID]; dup {
			return nil, &eventstore.DuplicateIDError{ID: p.ID, Stream: stream}
		}
		p.Revision = uint64(i)
		if exists {
			p.Revision = lastRev + 1 + uint64(i)
		}
		p.Seq = uint64(len(s.events)) + 1
		if p.RecordedAt.IsZero() {
			p.RecordedAt = s.now()
		}
		p = eventstore.Seal(p, prev)
		prev = p.Hash
		s.events = append(s.events, p)
		s.byID[p.ID] = len(s.events) - 1
		s.heads[stream] = len(s.events) - 1
		out = append(out, p)
	}
	close(s.grown)
	s.grown = make(chan struct{})
	return out, nil
}

func (s *memStore) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		s.mu.Lock()
		var evs []eventstore.Event
		after, set := from.Revision()
		for _, e := range s.events {
			if e.Stream == stream && (!set || e.Revision > after) {
				evs = append(evs, e)
			}
		}
		s.reads++ // guarded by s.mu
		s.mu.Unlock()
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (s *memStore) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if dir != eventstore.Forward {
			yield(eventstore.Event{}, fmt.Errorf("memStore: only forward reads"))
			return
		}
		s.mu.Lock()
		evs := s.events[min(afterSeq, uint64(len(s.events))):]
		s.mu.Unlock()
		for i, e := range evs {
			if limit > 0 && i == limit {
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (s *memStore) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		next := afterSeq
		for {
			s.mu.Lock()
			batch := s.events[min(next, uint64(len(s.events))):]
			grown := s.grown
			s.mu.Unlock()
			for _, e := range batch {
				if !yield(e, nil) {
					return
				}
				next = e.Seq
			}
			if len(batch) > 0 {
				continue
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
