package projections_test

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// memLog is a minimal in-memory global log for runner tests: appends assign seq, and SubscribeAll
// catches up and then follows, as eventstore.Store promises.
type memLog struct {
	mu     sync.Mutex
	events []eventstore.Event
	grown  chan struct{} // closed and replaced on every append
}

func newMemLog() *memLog { return &memLog{grown: make(chan struct{})} }

func (l *memLog) add(stream, typ, effective string, recordedAt time.Time) eventstore.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := eventstore.Event{
		ID: uuid.New(), Stream: stream, Type: typ, Schema: 1, EffectiveOn: effective,
		RecordedAt: recordedAt.UTC(), RecordedBy: "test", Certainty: "confirmed",
		Seq: uint64(len(l.events)) + 1, Data: []byte("{}"), Sources: []byte("[]"),
	}
	l.events = append(l.events, e)
	close(l.grown)
	l.grown = make(chan struct{})
	return e
}

func (l *memLog) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		next := afterSeq
		for {
			l.mu.Lock()
			batch := l.events[min(next, uint64(len(l.events))):]
			grown := l.grown
			l.mu.Unlock()
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
