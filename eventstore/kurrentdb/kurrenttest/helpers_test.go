package kurrenttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// wait bounds every blocking step of a test.
const wait = 10 * time.Second

var streamSeq atomic.Int64

// streamName returns a stream name unique within the test binary.
func streamName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, streamSeq.Add(1))
}

// connect returns a client for url, closed when the test ends.
func connect(t *testing.T, url string) *esdb.Client {
	t.Helper()
	cfg, err := esdb.ParseConnectionString(url)
	require.NoError(t, err)
	// The client logs every discovery step and dropped subscription; keep
	// test output readable. Its goroutines may outlive the test, so t.Logf
	// cannot be used.
	cfg.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// setup starts a server and a client connected to it. The server starts with an empty $all, so that
// the checklist tests can count it exactly; TestSystemEvents covers the system events of a real node.
func setup(t *testing.T, opts ...kurrenttest.Options) (*kurrenttest.Server, *esdb.Client) {
	t.Helper()
	var o kurrenttest.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o.NoSystemEvents = true
	srv := kurrenttest.Start(t, o)
	return srv, connect(t, srv.URL())
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// jsonEvent returns an event with a fresh id and a JSON body.
func jsonEvent(eventType string, n int) esdb.EventData {
	return esdb.EventData{
		EventID:     uuid.New(),
		EventType:   eventType,
		ContentType: esdb.ContentTypeJson,
		Data:        []byte(fmt.Sprintf(`{"n":%d}`, n)),
		Metadata:    []byte(fmt.Sprintf(`{"m":%d}`, n)),
	}
}

func events(eventType string, k int) []esdb.EventData {
	out := make([]esdb.EventData, k)
	for i := range out {
		out[i] = jsonEvent(eventType, i)
	}
	return out
}

func appendEvents(t *testing.T, c *esdb.Client, stream string, exp esdb.ExpectedRevision, evs ...esdb.EventData) *esdb.WriteResult {
	t.Helper()
	res, err := c.AppendToStream(ctxT(t), stream, esdb.AppendToStreamOptions{ExpectedRevision: exp}, evs...)
	require.NoError(t, err)
	return res
}

// drain reads a read: its events and the error that ended it (nil for io.EOF).
func drain(t *testing.T, rs *esdb.ReadStream) ([]*esdb.ResolvedEvent, error) {
	t.Helper()
	defer rs.Close()
	var out []*esdb.ResolvedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func readStream(t *testing.T, c *esdb.Client, stream string, opts esdb.ReadStreamOptions, count uint64) ([]*esdb.ResolvedEvent, error) {
	t.Helper()
	rs, err := c.ReadStream(ctxT(t), stream, opts, count)
	require.NoError(t, err)
	return drain(t, rs)
}

func readAll(t *testing.T, c *esdb.Client, opts esdb.ReadAllOptions, count uint64) []*esdb.ResolvedEvent {
	t.Helper()
	rs, err := c.ReadAll(ctxT(t), opts, count)
	require.NoError(t, err)
	evs, err := drain(t, rs)
	require.NoError(t, err)
	return evs
}

func revisions(evs []*esdb.ResolvedEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.OriginalEvent().EventNumber
	}
	return out
}

// esdbCode returns the code of the *esdb.Error inside err, found with errors.As.
func esdbCode(t *testing.T, err error) esdb.ErrorCode {
	t.Helper()
	require.Error(t, err)
	var e *esdb.Error
	require.True(t, errors.As(err, &e), "no *esdb.Error in %T: %v", err, err)
	return e.Code()
}

// isUnwrapped reports whether err is itself an *esdb.Error (esdb.FromError uses a type assertion).
func isUnwrapped(err error) bool {
	_, ok := err.(*esdb.Error) //nolint:errorlint // the point is to check the error is not wrapped
	return ok
}

// subEvents receives from sub in a goroutine, so a test can wait with a deadline.
func subEvents(t *testing.T, sub *esdb.Subscription) <-chan *esdb.SubscriptionEvent {
	t.Helper()
	ch := make(chan *esdb.SubscriptionEvent, 1024)
	go func() {
		defer close(ch)
		for {
			ev := sub.Recv()
			ch <- ev
			if ev.SubscriptionDropped != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = sub.Close() })
	return ch
}

// next returns the next subscription event, failing the test after the deadline.
func next(t *testing.T, ch <-chan *esdb.SubscriptionEvent) *esdb.SubscriptionEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "subscription ended")
		return ev
	case <-time.After(wait):
		t.Fatal("no subscription event before the deadline")
		return nil
	}
}

// nextEvent skips checkpoints and returns the next event, failing on anything else.
func nextEvent(t *testing.T, ch <-chan *esdb.SubscriptionEvent) *esdb.RecordedEvent {
	t.Helper()
	for {
		ev := next(t, ch)
		if ev.CheckPointReached != nil {
			continue
		}
		require.NotNil(t, ev.EventAppeared, "want an event, got %s", describe(ev))
		return ev.EventAppeared.OriginalEvent()
	}
}

// waitCaughtUp returns the events delivered before CaughtUp, skipping checkpoints.
func waitCaughtUp(t *testing.T, ch <-chan *esdb.SubscriptionEvent) []*esdb.RecordedEvent {
	t.Helper()
	var out []*esdb.RecordedEvent
	for {
		ev := next(t, ch)
		switch {
		case ev.CaughtUp != nil:
			return out
		case ev.EventAppeared != nil:
			out = append(out, ev.EventAppeared.OriginalEvent())
		case ev.CheckPointReached != nil:
		default:
			t.Fatalf("unexpected %s before CaughtUp", describe(ev))
		}
	}
}

func describe(ev *esdb.SubscriptionEvent) string {
	switch {
	case ev.EventAppeared != nil:
		e := ev.EventAppeared.OriginalEvent()
		return fmt.Sprintf("event %s@%d", e.StreamID, e.EventNumber)
	case ev.CheckPointReached != nil:
		return fmt.Sprintf("checkpoint %d", ev.CheckPointReached.Commit)
	case ev.CaughtUp != nil:
		return "caught up"
	case ev.FellBehind != nil:
		return "fell behind"
	case ev.SubscriptionDropped != nil:
		return fmt.Sprintf("dropped: %v", ev.SubscriptionDropped.Error)
	}
	return "empty event"
}

func streamIDs(evs []*esdb.RecordedEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprintf("%s@%d", e.StreamID, e.EventNumber)
	}
	return out
}
