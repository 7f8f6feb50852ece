// Package storetest is the contract every eventstore.Store backend passes. Each backend's tests call
// Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Opener opens a fresh, empty store for one subtest. The store is closed by the suite.
type Opener func(t *testing.T) eventstore.Store

// Run runs the whole contract suite against stores made by open. After each test, Check holds the
// store to its invariants, whatever the test did.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s eventstore.Store)
	}{
		{"RoundTripEveryField", testRoundTrip},
		{"RecordedAtDefaultsAndNeverDecreases", testRecordedAt},
		{"HashChainsVerify", testChains},
		{"ExpectedRevision", testExpected},
		{"IdempotentSameContent", testIdempotentSame},
		{"SameIDOtherContentConflicts", testIdempotentOther},
		{"GlobalOrderAndSeqWithoutGaps", testGlobalOrder},
		{"ReadStreamCursorsAndLimits", testReadStream},
		{"ReadAllCursorsAndLimits", testReadAll},
		{"EmptyReads", testEmptyReads},
		{"SubscribeFromAnyPointWhileAppending", testSubscribe},
		{"ContextCancellation", testCancel},
		{"LargestEventAndOneByteOver", testSize},
		{"LargestWholeEventAndOneByteOver", testEventSize},
		{"BadInputStoresNothing", testBadInput},
		{"ConcurrentAnyAppendsToOneStream", testConcurrentAny},
		{"ConcurrentAppendsToManyStreams", testConcurrentStreams},
		{"AppendAfterClose", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tt.fn(t, s)
			if _, err := s.Head(ctx); errors.Is(err, eventstore.ErrClosed) {
				return // the test closed the store, checking it first
			}
			Check(t, s)
		})
	}
}

var ctx = context.Background()

// Event returns a valid proposed event for tests: type, date, actor, sources and data filled in.
func Event(typ string, data string) eventstore.Event {
	return eventstore.Event{
		ID:          eventstore.NewID(),
		Type:        typ,
		EffectiveOn: "2015-11-07",
		RecordedBy:  "storetest",
		Sources:     json.RawMessage(`[{"kind":"minutes","title":"Full Council 15 October 2015"}]`),
		Certainty:   "confirmed",
		Data:        json.RawMessage(data),
	}
}

func events(n int, typ string) []eventstore.Event {
	out := make([]eventstore.Event, n)
	for i := range out {
		out[i] = Event(typ, fmt.Sprintf(`{"n":%d}`, i))
	}
	return out
}

// Collect drains an iterator, failing the test on an error.
func Collect(t *testing.T, it func(func(eventstore.Event, error) bool)) []eventstore.Event {
	t.Helper()
	var out []eventstore.Event
	for e, err := range it {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

func head(t *testing.T, s eventstore.Store) uint64 {
	t.Helper()
	h, err := s.Head(ctx)
	require.NoError(t, err)
	return h.Seq
}

func mustAppend(t *testing.T, s eventstore.Store, stream string, x eventstore.Expected, evs ...eventstore.Event) []eventstore.Event {
	t.Helper()
	out, err := s.Append(ctx, stream, x, evs...)
	require.NoError(t, err)
	require.Len(t, out, len(evs))
	return out
}

func seqs(evs []eventstore.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}

func revs(evs []eventstore.Event) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Revision
	}
	return out
}

func testRoundTrip(t *testing.T, s eventstore.Store) {
	e := Event("JointAppointmentMade", `{"post": "chief-executive", "officer": {"name": "Sheila Oxtoby"}, "share": 0.5}`)
	e.Schema = 2
	e.CorrelationID, e.CausationID = uuid.New(), uuid.New()
	e.RecordedAt = time.Date(2015, 11, 9, 9, 30, 0, 123456000, time.UTC)
	e.Certainty = "reported"
	stored := mustAppend(t, s, "partnership-gy-nn", eventstore.NoStream, e)[0]

	read := Collect(t, s.ReadStream(ctx, "partnership-gy-nn", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, read, 1)
	got := read[0]
	assert.Equal(t, stored, got, "ReadStream answers what Append returned")
	assert.Equal(t, e.ID, got.ID)
	assert.Equal(t, "partnership-gy-nn", got.Stream)
	assert.Equal(t, uint64(0), got.Revision)
	assert.Equal(t, uint64(1), got.Seq)
	assert.Equal(t, "JointAppointmentMade", got.Type)
	assert.Equal(t, 2, got.Schema)
	assert.Equal(t, "2015-11-07", got.EffectiveOn)
	assert.True(t, e.RecordedAt.Equal(got.RecordedAt), "recorded_at given explicitly is kept: %v", got.RecordedAt)
	assert.Equal(t, "storetest", got.RecordedBy)
	assert.JSONEq(t, string(e.Sources), string(got.Sources))
	assert.Equal(t, "reported", got.Certainty)
	assert.Equal(t, e.CorrelationID, got.CorrelationID)
	assert.Equal(t, e.CausationID, got.CausationID)
	assert.Equal(t, `{"officer":{"name":"Sheila Oxtoby"},"post":"chief-executive","share":0.5}`, string(got.Data), "data is stored canonical")
	assert.Equal(t, eventstore.ZeroHash, got.PrevHash)
	assert.Equal(t, eventstore.ComputeHash(got, got.PrevHash), got.Hash)

	all := Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0))
	require.Len(t, all, 1)
	assert.Equal(t, got, all[0])
	h, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, eventstore.Head{Seq: 1, RecordedAt: got.RecordedAt, Hash: got.Hash}, h)
}

func testRecordedAt(t *testing.T, s eventstore.Store) {
	before := time.Now().Add(-time.Minute)
	a := mustAppend(t, s, "s-a", eventstore.Any, Event("T", `{}`))[0]
	assert.False(t, a.RecordedAt.IsZero())
	assert.True(t, a.RecordedAt.After(before), "defaulted recorded_at comes from the store's clock")
	assert.Equal(t, time.UTC, a.RecordedAt.Location())
	b := mustAppend(t, s, "s-b", eventstore.Any, Event("T", `{}`))[0]
	assert.False(t, b.RecordedAt.Before(a.RecordedAt), "recorded_at never decreases along seq")
}

func testChains(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "a", eventstore.NoStream, events(3, "T")...)
	mustAppend(t, s, "b", eventstore.NoStream, events(2, "T")...)
	mustAppend(t, s, "a", eventstore.Exact(2), events(2, "T")...)
	var v eventstore.ChainVerifier
	for _, e := range Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0)) {
		require.NoError(t, v.Add(e))
	}
	assert.Equal(t, uint64(7), v.Count())
	assert.Equal(t, 2, v.Streams())
	a := Collect(t, s.ReadStream(ctx, "a", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, a, 5)
	for i := 1; i < len(a); i++ {
		assert.Equal(t, a[i-1].Hash, a[i].PrevHash, "event %d names its predecessor's hash", i)
	}
}

func testExpected(t *testing.T, s eventstore.Store) {
	conflict := func(t *testing.T, err error, exists bool, actual uint64) {
		t.Helper()
		require.ErrorIs(t, err, eventstore.ErrConflict)
		var ce *eventstore.ConflictError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, exists, ce.ActualExists)
		if exists {
			assert.Equal(t, actual, ce.Actual)
		}
	}
	_, err := s.Append(ctx, "x", eventstore.StreamExists, Event("T", `{}`))
	conflict(t, err, false, 0)
	_, err = s.Append(ctx, "x", eventstore.Exact(0), Event("T", `{}`))
	conflict(t, err, false, 0)
	mustAppend(t, s, "x", eventstore.NoStream, Event("T", `{}`))
	_, err = s.Append(ctx, "x", eventstore.NoStream, Event("T", `{}`))
	conflict(t, err, true, 0)
	_, err = s.Append(ctx, "x", eventstore.Exact(5), Event("T", `{}`))
	conflict(t, err, true, 0)
	var ce *eventstore.ConflictError
	require.ErrorAs(t, err, &ce)
	rev, ok := ce.Expected.Revision()
	assert.True(t, ok)
	assert.Equal(t, uint64(5), rev)
	assert.Contains(t, err.Error(), "expected revision 5")
	assert.Equal(t, []uint64{1}, revs(mustAppend(t, s, "x", eventstore.StreamExists, Event("T", `{}`))))
	assert.Equal(t, []uint64{2}, revs(mustAppend(t, s, "x", eventstore.Exact(1), Event("T", `{}`))))
	assert.Equal(t, []uint64{3, 4}, revs(mustAppend(t, s, "x", eventstore.Any, events(2, "T")...)))
	assert.Equal(t, uint64(5), head(t, s), "refused appends stored nothing")
}

func testIdempotentSame(t *testing.T, s eventstore.Store) {
	evs := events(2, "T")
	first := mustAppend(t, s, "idem", eventstore.NoStream, evs...)
	// A retry, even with an expectation that no longer holds, answers the stored events.
	again, err := s.Append(ctx, "idem", eventstore.NoStream, evs...)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, uint64(2), head(t, s), "nothing appended twice")
	// Data that differs only in formatting is the same content.
	one := evs[0]
	one.Data = json.RawMessage(`{ "n" : 0 }`)
	again, err = s.Append(ctx, "idem", eventstore.Any, one)
	require.NoError(t, err)
	assert.Equal(t, first[:1], again)
	assert.Equal(t, uint64(2), head(t, s))
}

func testIdempotentOther(t *testing.T, s eventstore.Store) {
	e := Event("T", `{"n":1}`)
	mustAppend(t, s, "idem", eventstore.Any, e)
	other := e
	other.Data = json.RawMessage(`{"n":2}`)
	_, err := s.Append(ctx, "idem", eventstore.Any, other)
	require.ErrorIs(t, err, eventstore.ErrConflict)
	var de *eventstore.DuplicateIDError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, e.ID, de.ID)
	// The same id in another stream is other content too.
	_, err = s.Append(ctx, "elsewhere", eventstore.Any, e)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, uint64(1), head(t, s))
	assert.Empty(t, Collect(t, s.ReadStream(ctx, "elsewhere", eventstore.Start, eventstore.Forward, 0)))
}

func testGlobalOrder(t *testing.T, s eventstore.Store) {
	var appended []eventstore.Event
	for i := range 10 {
		stream := fmt.Sprintf("s%d", i%3)
		appended = append(appended, mustAppend(t, s, stream, eventstore.Any, events(1+i%2, "T")...)...)
	}
	all := Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0))
	require.Len(t, all, len(appended))
	for i, e := range all {
		assert.Equal(t, uint64(i+1), e.Seq, "seq is contiguous from 1")
		assert.Equal(t, appended[i].ID, e.ID, "$all is in append order")
	}
}

func testReadStream(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "r", eventstore.NoStream, events(10, "T")...)
	mustAppend(t, s, "r2", eventstore.NoStream, events(3, "T")...) // a neighbour must not leak in
	read := func(from eventstore.Cursor, dir eventstore.Direction, limit int) []uint64 {
		return revs(Collect(t, s.ReadStream(ctx, "r", from, dir, limit)))
	}
	assert.Equal(t, []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, read(eventstore.Start, eventstore.Forward, 0))
	assert.Equal(t, []uint64{0, 1, 2}, read(eventstore.Start, eventstore.Forward, 3))
	assert.Equal(t, []uint64{4, 5, 6, 7, 8, 9}, read(eventstore.AfterRevision(3), eventstore.Forward, 0), "after is exclusive")
	assert.Equal(t, []uint64{9, 8, 7}, read(eventstore.Start, eventstore.Backward, 3))
	assert.Equal(t, []uint64{2, 1, 0}, read(eventstore.AfterRevision(3), eventstore.Backward, 0))
	assert.Empty(t, read(eventstore.AfterRevision(9), eventstore.Forward, 0))
	assert.Empty(t, read(eventstore.AfterRevision(0), eventstore.Backward, 0))
	assert.Equal(t, []uint64{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, read(eventstore.AfterRevision(100), eventstore.Backward, 0))
}

func testReadAll(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "a", eventstore.Any, events(4, "T")...)
	mustAppend(t, s, "b", eventstore.Any, events(4, "T")...)
	read := func(after uint64, dir eventstore.Direction, limit int) []uint64 {
		return seqs(Collect(t, s.ReadAll(ctx, after, dir, limit)))
	}
	assert.Equal(t, []uint64{1, 2, 3, 4, 5, 6, 7, 8}, read(0, eventstore.Forward, 0))
	assert.Equal(t, []uint64{4, 5}, read(3, eventstore.Forward, 2))
	assert.Equal(t, []uint64{8, 7, 6}, read(0, eventstore.Backward, 3))
	assert.Equal(t, []uint64{4, 3, 2, 1}, read(5, eventstore.Backward, 0))
	assert.Empty(t, read(8, eventstore.Forward, 0))
	assert.Empty(t, read(1, eventstore.Backward, 0))
}

func testEmptyReads(t *testing.T, s eventstore.Store) {
	assert.Empty(t, Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0)), "empty store")
	assert.Empty(t, Collect(t, s.ReadAll(ctx, 0, eventstore.Backward, 0)), "empty store backwards")
	assert.Empty(t, Collect(t, s.ReadStream(ctx, "missing", eventstore.Start, eventstore.Forward, 0)), "missing stream")
	assert.Empty(t, Collect(t, s.ReadStream(ctx, "missing", eventstore.Start, eventstore.Backward, 0)))
	assert.Equal(t, uint64(0), head(t, s))
	mustAppend(t, s, "a", eventstore.Any, Event("T", `{}`))
	assert.Empty(t, Collect(t, s.ReadAll(ctx, 1, eventstore.Forward, 0)), "after the end")
	assert.Empty(t, Collect(t, s.ReadAll(ctx, 99, eventstore.Forward, 0)), "far after the end")
	assert.Empty(t, Collect(t, s.ReadStream(ctx, "missing", eventstore.Start, eventstore.Forward, 0)))
}

func testSubscribe(t *testing.T, s eventstore.Store) {
	const before, writers, perWriter = 20, 4, 25
	mustAppend(t, s, "pre", eventstore.Any, events(before, "T")...)
	total := before + writers*perWriter

	for _, start := range []uint64{0, 7, before} {
		t.Run(fmt.Sprintf("after%d", start), func(t *testing.T) {
			base := head(t, s)
			want := uint64(total) + base - before // every event up to the end of this round
			c, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			got := make(chan []uint64, 1)
			go func() {
				var seen []uint64
				for e, err := range s.SubscribeAll(c, start) {
					if err != nil {
						break
					}
					seen = append(seen, e.Seq)
					if e.Seq == want {
						break
					}
				}
				got <- seen
			}()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perWriter {
						_, err := s.Append(ctx, fmt.Sprintf("w%d", w), eventstore.Any, Event("T", `{}`))
						assert.NoError(t, err)
					}
				}()
			}
			wg.Wait()
			seen := <-got
			require.NotEmpty(t, seen, "subscription ended early: %v", c.Err())
			for i, sq := range seen {
				require.Equal(t, start+uint64(i)+1, sq, "no gap or duplicate across catch-up and live")
			}
			assert.Equal(t, want, seen[len(seen)-1])
		})
	}
}

func testCancel(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "a", eventstore.Any, events(5, "T")...)
	c, cancel := context.WithCancel(ctx)
	cancel()
	for name, it := range map[string]func(func(eventstore.Event, error) bool){
		"ReadAll":      s.ReadAll(c, 0, eventstore.Forward, 0),
		"ReadStream":   s.ReadStream(c, "a", eventstore.Start, eventstore.Forward, 0),
		"SubscribeAll": s.SubscribeAll(c, 0),
	} {
		var last error
		for _, err := range it {
			if err != nil {
				last = err
				break
			}
		}
		assert.ErrorIs(t, last, context.Canceled, name)
	}
	// A live subscription stops when its context ends.
	c2, cancel2 := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		var last error
		for e, err := range s.SubscribeAll(c2, 0) {
			if err != nil {
				last = err
				break
			}
			if e.Seq == 5 {
				cancel2()
			}
		}
		done <- last
	}()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("subscription did not stop after its context was cancelled")
	}
	_, err := s.Append(c, "a", eventstore.Any, Event("T", `{}`))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, uint64(5), head(t, s))
}

func testSize(t *testing.T, s eventstore.Store) {
	// {"x":"…"} is 8 bytes of framing around the string.
	largest := Event("T", `{"x":"`+strings.Repeat("a", eventstore.MaxDataBytes-8)+`"}`)
	got := mustAppend(t, s, "big", eventstore.Any, largest)
	assert.Len(t, got[0].Data, eventstore.MaxDataBytes)
	over := Event("T", `{"x":"`+strings.Repeat("a", eventstore.MaxDataBytes-7)+`"}`)
	_, err := s.Append(ctx, "big", eventstore.Any, over)
	assert.ErrorIs(t, err, eventstore.ErrTooLarge)
	assert.Contains(t, err.Error(), "limit")
	assert.Equal(t, uint64(1), head(t, s))
	read := Collect(t, s.ReadStream(ctx, "big", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, read, 1)
	assert.Len(t, read[0].Data, eventstore.MaxDataBytes)
}

// testEventSize: the cap on a whole event (eventstore.MaxEventBytes) counts the sources too, so an
// event whose data is small but whose sources are huge is refused, and nothing is written.
func testEventSize(t *testing.T, s eventstore.Store) {
	withSources := func(n int) eventstore.Event {
		e := Event("T", `{}`)
		e.Stream = "fat"
		e.Sources = json.RawMessage(`[{"kind":"web","title":"` + strings.Repeat("a", n) + `"}]`)
		return e
	}
	fill := eventstore.MaxEventBytes - eventstore.Size(withSources(0))
	largest := withSources(fill)
	require.Equal(t, eventstore.MaxEventBytes, eventstore.Size(largest))
	got := mustAppend(t, s, "fat", eventstore.Any, largest)
	assert.Equal(t, eventstore.MaxEventBytes, eventstore.Size(got[0]))
	_, err := s.Append(ctx, "fat", eventstore.Any, withSources(fill+1))
	assert.ErrorIs(t, err, eventstore.ErrTooLarge)
	var invalid *eventstore.InvalidEventError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "sources", invalid.Field)
	assert.Contains(t, err.Error(), fmt.Sprint(eventstore.MaxEventBytes))
	assert.Equal(t, uint64(1), head(t, s))
}

func testBadInput(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "ok", eventstore.Any, Event("T", `{}`))
	tests := []struct {
		name, stream, field string
		edit                func(*eventstore.Event)
	}{
		{"empty stream name", "", "stream", nil},
		{"201-byte stream name", strings.Repeat("s", 201), "stream", nil},
		{"name starting with $", "$all", "stream", nil},
		{"non-printable name", "a\tb", "stream", nil},
		{"empty type", "ok", "type", func(e *eventstore.Event) { e.Type = "" }},
		{"invalid JSON", "ok", "data", func(e *eventstore.Event) { e.Data = json.RawMessage(`{"a":`) }},
		{"no data", "ok", "data", func(e *eventstore.Event) { e.Data = nil }},
		{"bad date", "ok", "effective_on", func(e *eventstore.Event) { e.EffectiveOn = "2015-02-30" }},
		{"no id", "ok", "id", func(e *eventstore.Event) { e.ID = uuid.Nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Event("T", `{}`)
			if tt.edit != nil {
				tt.edit(&e)
			}
			_, err := s.Append(ctx, tt.stream, eventstore.Any, e)
			require.ErrorIs(t, err, eventstore.ErrInvalidEvent)
			var ie *eventstore.InvalidEventError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Equal(t, uint64(1), head(t, s), "nothing stored")
		})
	}
	// One bad event spoils its whole append.
	bad := Event("T", `nope`)
	_, err := s.Append(ctx, "ok", eventstore.Any, Event("T", `{}`), bad)
	assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
	dup := Event("T", `{}`)
	_, err = s.Append(ctx, "ok", eventstore.Any, dup, dup)
	assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
	assert.Equal(t, uint64(1), head(t, s))
}

// testConcurrentStreams: writers appending to streams of their own at once leave a log whose seq,
// revisions, chains and recorded_at order hold (Check, after the test); KurrentDB once committed two
// streams' appends in the other order than the recorded_at it had given them.
func testConcurrentStreams(t *testing.T, s eventstore.Store) {
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := s.Append(ctx, fmt.Sprintf("w%d", w), eventstore.Any, Event("T", `{}`))
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, uint64(writers*each), head(t, s))
}

func testConcurrentAny(t *testing.T, s eventstore.Store) {
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := s.Append(ctx, "hot", eventstore.Any, Event("T", `{}`))
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	got := Collect(t, s.ReadStream(ctx, "hot", eventstore.Start, eventstore.Forward, 0))
	require.Len(t, got, writers*each)
	var v eventstore.ChainVerifier
	for i, e := range got {
		assert.Equal(t, uint64(i), e.Revision)
	}
	for _, e := range Collect(t, s.ReadAll(ctx, 0, eventstore.Forward, 0)) {
		require.NoError(t, v.Add(e))
	}
}

func testClosed(t *testing.T, s eventstore.Store) {
	mustAppend(t, s, "a", eventstore.Any, Event("T", `{}`))
	Check(t, s)
	require.NoError(t, s.Close())
	_, err := s.Append(ctx, "a", eventstore.Any, Event("T", `{}`))
	assert.True(t, errors.Is(err, eventstore.ErrClosed), "append after close: %v", err)
}
