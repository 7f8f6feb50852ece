package kurrentdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

var bg = context.Background()

// rawClient is a plain client on the same server, for writing what the ledger would not.
func rawClient(t *testing.T, url string) *esdb.Client {
	t.Helper()
	cfg, err := esdb.ParseConnectionString(url)
	require.NoError(t, err)
	cfg.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func collect(t *testing.T, it func(func(eventstore.Event, error) bool)) []eventstore.Event {
	t.Helper()
	return storetest.Collect(t, it)
}

func ids(evs []eventstore.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = fmt.Sprintf("%d:%s", e.Seq, e.ID)
	}
	return out
}

// Seq counts only ledger events, and every reader derives the same seq: a second Store opened later,
// ReadAll and SubscribeAll all agree, although $all also holds system events, a soft delete and
// events without the ledger's marker.
func TestSeqIsDerivedIdenticallyByEveryReader(t *testing.T) {
	srv := kurrenttest.Start(t)
	raw := rawClient(t, srv.URL())
	a := open(t, srv.URL(), kurrentdb.Options{})
	noise := func(i int) {
		_, err := raw.AppendToStream(bg, fmt.Sprintf("foreign-%d", i), esdb.AppendToStreamOptions{},
			esdb.EventData{EventType: "Foreign", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`), Metadata: []byte(`{"not":"ledger"}`)})
		require.NoError(t, err)
		_, err = raw.SetStreamMetadata(bg, fmt.Sprintf("foreign-%d", i), esdb.AppendToStreamOptions{}, esdb.StreamMetadata{})
		require.NoError(t, err)
	}
	for i := range 6 {
		noise(i)
		_, err := a.Append(bg, fmt.Sprintf("p-%d", i%2), eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err)
	}
	_, err := raw.DeleteStream(bg, "foreign-0", esdb.DeleteStreamOptions{})
	require.NoError(t, err)
	_, err = a.Append(bg, "p-0", eventstore.Any, storetest.Event("T", `{"last":true}`))
	require.NoError(t, err)

	fromA := collect(t, a.ReadAll(bg, 0, eventstore.Forward, 0))
	require.Len(t, fromA, 7)
	for i, e := range fromA {
		assert.Equal(t, uint64(i+1), e.Seq)
	}
	b := open(t, srv.URL(), kurrentdb.Options{})
	assert.Equal(t, ids(fromA), ids(collect(t, b.ReadAll(bg, 0, eventstore.Forward, 0))), "a Store opened later derives the same seq")
	back := collect(t, b.ReadAll(bg, 0, eventstore.Backward, 0))
	require.Len(t, back, 7)
	assert.Equal(t, uint64(7), back[0].Seq)
	hb, err := b.Head(bg)
	require.NoError(t, err)
	ha, err := a.Head(bg)
	require.NoError(t, err)
	assert.Equal(t, ha, hb)

	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	var sub []eventstore.Event
	for e, err := range b.SubscribeAll(ctx, 2) {
		require.NoError(t, err)
		sub = append(sub, e)
		if e.Seq == 7 {
			break
		}
	}
	assert.Equal(t, ids(fromA[2:]), ids(sub), "SubscribeAll gives the same seq")
	stream := collect(t, b.ReadStream(bg, "p-1", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, stream, 3)
	assert.Equal(t, []uint64{2, 4, 6}, []uint64{stream[0].Seq, stream[1].Seq, stream[2].Seq})
}

// A retry after a lost acknowledgement answers the stored event, even before the index has folded
// it, and never appends it twice.
func TestRetryAfterLostAcknowledgement(t *testing.T) {
	srv := kurrenttest.Start(t)
	raw := rawClient(t, srv.URL())
	gate := make(chan struct{}, 100)
	var gated sync.Mutex
	closed := true
	opts := kurrentdb.Options{}
	kurrentdb.SetBeforeFold(&opts, func() {
		gated.Lock()
		c := closed
		gated.Unlock()
		if c {
			<-gate
		}
	})
	s := open(t, srv.URL(), opts)
	gate <- struct{}{}
	first, err := s.Append(bg, "lost", eventstore.NoStream, storetest.Event("T", `{"n":0}`))
	require.NoError(t, err)

	// The append that "lost its acknowledgement": it landed in KurrentDB, chained to the first event,
	// but the index has not folded it (the gate is closed).
	proposed := storetest.Event("T", `{"n":1}`)
	p, err := eventstore.Prepare(func() eventstore.Event { e := proposed; e.Stream = "lost"; return e }())
	require.NoError(t, err)
	p.Revision, p.RecordedAt = 1, first[0].RecordedAt.Add(time.Second)
	landed := eventstore.Seal(p, first[0].Hash)
	data, err := kurrentdb.Encode(landed)
	require.NoError(t, err)
	_, err = raw.AppendToStream(bg, "lost", esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)}, data)
	require.NoError(t, err)

	done := make(chan []eventstore.Event, 1)
	go func() {
		again, err := s.Append(bg, "lost", eventstore.Exact(0), proposed)
		assert.NoError(t, err)
		done <- again
	}()
	gated.Lock()
	closed = false
	gated.Unlock()
	gate <- struct{}{}
	var again []eventstore.Event
	select {
	case again = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the retried append did not return")
	}
	landed.Seq = 2
	require.Len(t, again, 1)
	assert.Equal(t, landed, again[0], "the retry answers the event that landed")
	got := collect(t, s.ReadStream(bg, "lost", eventstore.Start, eventstore.Forward, 0))
	assert.Len(t, got, 2, "nothing appended twice")
	h, err := s.Head(bg)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), h.Seq)
}

// Two Stores (two ledger servers) appending with Any to one stream never fork its chain: KurrentDB's
// optimistic concurrency orders them and the loser retries at the new end.
func TestTwoServersAppendToOneStream(t *testing.T) {
	srv := kurrenttest.Start(t)
	stores := []*kurrentdb.Store{open(t, srv.URL(), kurrentdb.Options{}), open(t, srv.URL(), kurrentdb.Options{})}
	const each = 15
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					_, err := s.Append(bg, "hot", eventstore.Any, storetest.Event("T", `{}`))
					assert.NoError(t, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, s := range stores {
		// Each Store's index follows $all; the subscription waits for it to see every event.
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		var v eventstore.ChainVerifier
		for e, err := range s.SubscribeAll(ctx, 0) {
			require.NoError(t, err)
			require.NoError(t, v.Add(e))
			if e.Seq == 4*each {
				break
			}
		}
		cancel()
		assert.Equal(t, uint64(4*each), v.Count())
		assert.Len(t, collect(t, s.ReadStream(bg, "hot", eventstore.Start, eventstore.Forward, 0)), 4*each)
	}
}

// Server failures reach the caller as errors wrapping the client's *esdb.Error; a follower's
// not-leader answer is retried on the leader; the index and subscriptions survive dropped
// connections.
func TestServerFailures(t *testing.T) {
	srv := kurrenttest.Start(t)
	s := open(t, srv.URL(), kurrentdb.Options{RetryInterval: 10 * time.Millisecond})

	srv.FailNext(kurrenttest.MethodAppend, kurrenttest.Fault{Code: codes.PermissionDenied, Message: "Access denied",
		Trailer: metadata.Pairs("exception", "access-denied")})
	_, err := s.Append(bg, "f", eventstore.Any, storetest.Event("T", `{}`))
	var ee *esdb.Error
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, esdb.ErrorCodeAccessDenied, ee.Code())
	assert.Contains(t, err.Error(), "append to f")

	srv.FailNext(kurrenttest.MethodAppend, kurrenttest.Fault{Code: codes.Unavailable, Message: "Server Is Not Ready"})
	out, err := s.Append(bg, "f", eventstore.Any, storetest.Event("T", `{}`))
	require.NoError(t, err, "unavailable is tried again")
	assert.Equal(t, uint64(1), out[0].Seq)

	srv.FailNext(kurrenttest.MethodAppend, kurrenttest.NotLeader(srv.Host(), srv.Port()))
	_, err = s.Append(bg, "f", eventstore.Any, storetest.Event("T", `{}`))
	require.NoError(t, err, "not-leader is retried on the leader")

	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	next, stop := iterPull(s.SubscribeAll(ctx, 0))
	defer stop()
	e, err := next()
	require.NoError(t, err)
	assert.Equal(t, uint64(1), e.Seq)
	srv.DropConnections()
	e, err = next()
	require.NoError(t, err)
	assert.Equal(t, uint64(2), e.Seq)
	for i := 3; i <= 5; i++ {
		out, err := s.Append(bg, "f", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err, "appends work again after the connection dropped")
		assert.Equal(t, uint64(i), out[0].Seq)
		e, err := next()
		require.NoError(t, err)
		assert.Equal(t, out[0].ID, e.ID, "the subscription resumed without a gap or duplicate")
		assert.Equal(t, uint64(i), e.Seq)
	}
}

// A ledger stream deleted behind the ledger's back is reported as corruption, not as an empty stream.
func TestDeletedStreamIsCorruption(t *testing.T) {
	srv := kurrenttest.Start(t)
	raw := rawClient(t, srv.URL())
	s := open(t, srv.URL(), kurrentdb.Options{})
	_, err := s.Append(bg, "gone", eventstore.NoStream, storetest.Event("T", `{}`))
	require.NoError(t, err)
	_, err = raw.TombstoneStream(bg, "gone", esdb.TombstoneStreamOptions{})
	require.NoError(t, err)
	_, err = s.Append(bg, "gone", eventstore.Any, storetest.Event("T", `{}`))
	assert.ErrorIs(t, err, eventstore.ErrCorrupt)
	for _, err := range s.ReadStream(bg, "gone", eventstore.Start, eventstore.Forward, 0) {
		assert.ErrorIs(t, err, eventstore.ErrCorrupt)
	}

	_, err = s.Append(bg, "soft", eventstore.NoStream, storetest.Event("T", `{}`))
	require.NoError(t, err)
	_, err = raw.DeleteStream(bg, "soft", esdb.DeleteStreamOptions{})
	require.NoError(t, err)
	_, err = s.Append(bg, "soft", eventstore.Any, storetest.Event("T", `{}`))
	assert.ErrorIs(t, err, eventstore.ErrCorrupt, "a soft-deleted ledger stream is not a new stream")
}

// Sources are stored byte for byte: characters that encoding/json escapes by default (HTML, U+2028)
// survive, so the hash still verifies.
func TestMetadataKeepsSourcesExactly(t *testing.T) {
	srv := kurrenttest.Start(t)
	s := open(t, srv.URL(), kurrentdb.Options{})
	e := storetest.Event("T", `{"note":"<b>&amp;</b>\u2028"}`)
	e.Sources = json.RawMessage(`[{"kind":"minutes","title":"Cabinet <Part A> & B` + "\u2028" + `"}]`)
	out, err := s.Append(bg, "x", eventstore.Any, e)
	require.NoError(t, err)
	got := collect(t, s.ReadStream(bg, "x", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, got, 1)
	assert.Equal(t, out[0], got[0])
	assert.Equal(t, eventstore.ComputeHash(got[0], got[0].PrevHash), got[0].Hash)
}

// Open fails, rather than hanging, when nothing listens at the address.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	_, err := kurrentdb.Open(ctx, "esdb://127.0.0.1:1?tls=false", kurrentdb.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "127.0.0.1:1")
	assert.NoError(t, ctx.Err(), "it failed by itself, before the deadline")
}

// Namespaces let several ledgers share one database, each with its own seq.
func TestNamespaces(t *testing.T) {
	srv := kurrenttest.Start(t)
	a := open(t, srv.URL(), kurrentdb.Options{Namespace: "a-"})
	b := open(t, srv.URL(), kurrentdb.Options{Namespace: "b-"})
	for i := range 3 {
		_, err := a.Append(bg, "s", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"a":%d}`, i)))
		require.NoError(t, err)
		out, err := b.Append(bg, "s", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"b":%d}`, i)))
		require.NoError(t, err)
		assert.Equal(t, uint64(i+1), out[0].Seq)
	}
	got := collect(t, b.ReadAll(bg, 0, eventstore.Forward, 0))
	require.Len(t, got, 3)
	assert.Equal(t, "s", got[0].Stream)
	assert.JSONEq(t, `{"b":0}`, string(got[0].Data))
}

// iterPull adapts an iterator for step-by-step use in a test.
func iterPull(it func(func(eventstore.Event, error) bool)) (func() (eventstore.Event, error), func()) {
	next, stop := iter.Pull2(it)
	return func() (eventstore.Event, error) {
		e, err, ok := next()
		if !ok {
			return e, fmt.Errorf("the iterator ended")
		}
		return e, err
	}, stop
}

// An append over the maximum append size is refused with *eventstore.AppendTooLargeError
// (eventstore.ErrTooLarge) naming the stream, the size and the limit, and nothing is written: by the
// adapter before it sends (Options.MaxAppendSize), and when the server's limit is the lower one, by
// the server (its "Maximum Append Size of N Exceeded." mapped to the same error). AppendBytes counts
// what the server counts: an append of exactly MaxAppendBytes goes through.
func TestAppendOverTheMaximumAppendSize(t *testing.T) {
	srv := kurrenttest.Start(t)
	big := func(kib int) eventstore.Event {
		return storetest.Event("Big", `{"x":"`+strings.Repeat("a", kib<<10)+`"}`)
	}
	six := func() []eventstore.Event {
		var out []eventstore.Event
		for range 6 {
			out = append(out, big(200))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		opts kurrentdb.Options
	}{
		{"refused by the adapter", kurrentdb.Options{}},
		{"refused by the server", kurrentdb.Options{MaxAppendSize: -1, Namespace: "server-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, srv.URL(), tc.opts)
			_, err := s.Append(bg, "big", eventstore.NoStream, six()...)
			require.ErrorIs(t, err, eventstore.ErrTooLarge)
			assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
			var tl *eventstore.AppendTooLargeError
			require.ErrorAs(t, err, &tl)
			assert.Equal(t, "big", tl.Stream)
			assert.Equal(t, 6, tl.Events)
			assert.Equal(t, kurrentdb.DefaultMaxAppendSize, tl.Limit)
			assert.Greater(t, tl.Bytes, 6*200<<10)
			assert.Contains(t, err.Error(), "append to big: 6 events")
			assert.Contains(t, err.Error(), "nothing was written")
			head, err := s.Head(bg)
			require.NoError(t, err)
			assert.Zero(t, head.Seq, "nothing was written")
		})
	}

	s := open(t, srv.URL(), kurrentdb.Options{Namespace: "exact-"})
	var lim eventstore.AppendLimiter = s
	assert.Equal(t, kurrentdb.DefaultMaxAppendSize, lim.MaxAppendBytes())
	// Five events of 200 KiB fit; sealed, they count what the server will count.
	out, err := s.Append(bg, "fits", eventstore.NoStream, six()[:5]...)
	require.NoError(t, err)
	total := 0
	for _, e := range out {
		total += s.AppendBytes(e)
	}
	assert.Less(t, total, kurrentdb.DefaultMaxAppendSize)
	assert.Greater(t, total, 5*200<<10)
}
