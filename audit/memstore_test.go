package audit_test

import (
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// testClock stamps recorded_at one second apart from 1 January 2016, so runs are reproducible.
func testClock() func() time.Time {
	t0 := time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }
}

func newMemStore() *memstore.Store { return memstore.New(memstore.Options{Now: testClock()}) }

// withEvents returns a store already holding events exactly as given (as seeded by sealedEvents, or
// tampered with).
func withEvents(events []eventstore.Event) *memstore.Store {
	return memstore.FromEvents(events, memstore.Options{Now: testClock()})
}
