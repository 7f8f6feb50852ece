package storetest

import (
	"context"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Held wraps a Store so that every Append waits until the test lets it through, holding an append
// in flight for as long as a test needs (e.g. to queue commands behind it without sleeping).
// Reads pass straight through.
type Held struct {
	eventstore.Store
	// Started is told each held Append's number of events as the Append begins (buffered: 64).
	Started chan int
	// Release lets one held Append through per value sent; close it to let every Append through.
	Release chan struct{}
}

// Hold returns s wrapped as a Held store.
func Hold(s eventstore.Store) *Held {
	return &Held{Store: s, Started: make(chan int, 64), Release: make(chan struct{})}
}

// Append waits for Release, then appends to the wrapped store.
func (h *Held) Append(ctx context.Context, stream string, x eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	h.Started <- len(events)
	<-h.Release
	return h.Store.Append(ctx, stream, x, events...)
}
