package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// A POST that cannot be recorded within its deadline, because the partnership's append in flight
// is held, is answered 503 with Retry-After as problem+json and appends nothing; the client's retry
// records it once (issue 18: a timed-out POST used to be appended anyway).
func TestRecordingBusyIs503AndAppendsNothing(t *testing.T) {
	var held *storetest.Held
	frozen := func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }
	e := newEnvWith(t, false, func(c *api.Config) {
		held = storetest.Hold(c.Store)
		// Deadlines on a clock that stands still: the held append is never past its own, and a
		// queued command's 1 ns timer fires at once.
		c.Recorder = recording.NewWithOptions(held, recording.Options{Now: frozen, Timeout: time.Nanosecond})
	})
	before := e.head(t)

	first := make(chan resp, 1)
	go func() { first <- e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 1111111)) }()
	select {
	case <-held.Started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first POST never reached the store")
	}

	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 2222222))
	require.Equal(t, 503, r.status, "%s", r.body)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	p := problemOf(t, r)
	assert.Equal(t, "/problems/busy", p.Type)
	assert.Contains(t, p.Detail, "nothing was appended")
	assert.Equal(t, before, e.head(t), "nothing appended while the first is held")

	close(held.Release)
	select {
	case r1 := <-first:
		assert.Equal(t, 201, r1.status, "%s", r1.body)
	case <-time.After(10 * time.Second):
		t.Fatal("the first POST was never answered")
	}
	r2 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 2222222)) // the retry
	require.Equal(t, 201, r2.status, "%s", r2.body)
	assert.Equal(t, before+2, e.head(t))

	n := 0
	for ev, err := range e.store.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		if strings.Contains(string(ev.Data), "2222222") {
			n++
		}
	}
	assert.Equal(t, 1, n, "the withdrawn POST and its retry recorded once")
}

// contendedStore loses every append to another writer, as a KurrentDB stream written by several
// ledger servers can (eventstore.ContendedError: nothing was written).
type contendedStore struct{ eventstore.Store }

func (s contendedStore) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	return nil, &eventstore.ContendedError{Stream: stream, Attempts: 17}
}

// An append that gave up after losing every round for its stream is 503 /problems/busy with
// Retry-After, like a withdrawn command: nothing was appended, so the retry is safe (it was a 500).
func TestContendedAppendIs503(t *testing.T) {
	e := newEnvWith(t, false, func(c *api.Config) {
		c.Recorder = recording.New(contendedStore{c.Store}, nil)
	})
	before := e.head(t)
	r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 3333333))
	require.Equal(t, 503, r.status, "%s", r.body)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	assert.Equal(t, "/problems/busy", problemOf(t, r).Type)
	assert.Equal(t, before, e.head(t))
}
