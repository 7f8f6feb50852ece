package kurrenttest_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestSubscribe covers the subscription items S1-S10 of the spec's §10 checklist.
func TestSubscribe(t *testing.T) {
	t.Run("S1", func(t *testing.T) {
		n := 0
		srv, c := setup(t, kurrenttest.Options{NewSubscriptionID: func() string { n++; return fmt.Sprintf("sub-%d", n) }})
		sub, err := c.SubscribeToStream(ctxT(t), streamName("s1"), esdb.SubscribeToStreamOptions{})
		require.NoError(t, err, "the client accepts only a Confirmation first")
		t.Cleanup(func() { _ = sub.Close() })
		assert.Equal(t, "sub-1", sub.Id())
		all, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = all.Close() })
		assert.Equal(t, "sub-2", all.Id())
		assert.Equal(t, 2, srv.CallCount(kurrenttest.MethodRead))
	})

	t.Run("S2", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s2")
		appendEvents(t, c, s, esdb.NoStream{}, events("Old", 3)...)
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		assert.Equal(t, []string{s + "@0", s + "@1", s + "@2"}, streamIDs(waitCaughtUp(t, ch)))
		appendEvents(t, c, s, esdb.Revision(2), events("New", 2)...)
		assert.Equal(t, uint64(3), nextEvent(t, ch).EventNumber)
		assert.Equal(t, uint64(4), nextEvent(t, ch).EventNumber)

		// $all from Start: every event, then CaughtUp, then new ones.
		allSub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: esdb.Start{}})
		require.NoError(t, err)
		allCh := subEvents(t, allSub)
		assert.Len(t, waitCaughtUp(t, allCh), 5)
		other := streamName("s2")
		appendEvents(t, c, other, esdb.Any{}, jsonEvent("Live", 0))
		assert.Equal(t, other, nextEvent(t, allCh).StreamID)
	})

	t.Run("S3", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s3")
		appendEvents(t, c, s, esdb.NoStream{}, events("Old", 3)...)
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.End{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		assert.Empty(t, waitCaughtUp(t, ch), "CaughtUp before any event")
		allSub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: esdb.End{}})
		require.NoError(t, err)
		allCh := subEvents(t, allSub)
		assert.Empty(t, waitCaughtUp(t, allCh))

		appendEvents(t, c, s, esdb.Any{}, jsonEvent("New", 0))
		ev := nextEvent(t, ch)
		assert.Equal(t, uint64(3), ev.EventNumber)
		assert.Equal(t, "New", ev.EventType)
		assert.Equal(t, "New", nextEvent(t, allCh).EventType)
	})

	t.Run("S4", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s4")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 5)...)
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Revision(2)})
		require.NoError(t, err)
		got := waitCaughtUp(t, subEvents(t, sub))
		assert.Equal(t, []string{s + "@3", s + "@4"}, streamIDs(got), "revision n is excluded")

		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		p := all[1].OriginalEvent().Position
		allSub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: p})
		require.NoError(t, err)
		gotAll := waitCaughtUp(t, subEvents(t, allSub))
		require.Len(t, gotAll, 3)
		assert.Equal(t, all[2].OriginalEvent().Position, gotAll[0].Position, "the first position after P")

		// A revision past the end skips revisions written later up to it.
		ahead, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Revision(5)})
		require.NoError(t, err)
		aheadCh := subEvents(t, ahead)
		assert.Empty(t, waitCaughtUp(t, aheadCh))
		appendEvents(t, c, s, esdb.Any{}, events("E", 2)...)
		assert.Equal(t, uint64(6), nextEvent(t, aheadCh).EventNumber)
	})

	t.Run("S5", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s5")
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		assert.Empty(t, waitCaughtUp(t, ch))
		appendEvents(t, c, s, esdb.NoStream{}, jsonEvent("First", 0))
		ev := nextEvent(t, ch)
		assert.Equal(t, "First", ev.EventType)
		assert.Equal(t, uint64(0), ev.EventNumber)
	})

	t.Run("S6", func(t *testing.T) {
		// Each case: account-N gets Opened, Closed; other-N gets Opened,
		// Noise; then, live, account-N gets Late and other-N gets Closed.
		for _, tc := range []struct {
			name   string
			filter func(acc, other string) *esdb.SubscriptionFilter
			want   func(acc, other string) []string // stream@revision, catch-up then live
		}{
			{"event type prefix",
				func(_, _ string) *esdb.SubscriptionFilter {
					return &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Prefixes: []string{"Open", "Clo"}}
				},
				func(acc, other string) []string { return []string{acc + "@0", acc + "@1", other + "@0", other + "@2"} }},
			{"event type regex",
				func(_, _ string) *esdb.SubscriptionFilter {
					return &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Regex: "^(Closed|Late)$"}
				},
				func(acc, other string) []string { return []string{acc + "@1", acc + "@2", other + "@2"} }},
			{"stream name prefix",
				func(acc, _ string) *esdb.SubscriptionFilter {
					return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{acc}}
				},
				func(acc, _ string) []string { return []string{acc + "@0", acc + "@1", acc + "@2"} }},
			{"stream name regex",
				func(_, other string) *esdb.SubscriptionFilter {
					return &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "^" + other + "$"}
				},
				func(_, other string) []string { return []string{other + "@0", other + "@1", other + "@2"} }},
			{"exclude system events",
				func(_, _ string) *esdb.SubscriptionFilter { return esdb.ExcludeSystemEventsFilter() },
				func(acc, other string) []string {
					return []string{acc + "@0", acc + "@1", other + "@0", other + "@1", acc + "@2", other + "@2"}
				}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, c := setup(t)
				acc, other := streamName("account"), streamName("other")
				appendEvents(t, c, acc, esdb.Any{}, jsonEvent("Opened", 0), jsonEvent("Closed", 1))
				appendEvents(t, c, other, esdb.Any{}, jsonEvent("Opened", 2), jsonEvent("Noise", 3))
				// A metadata write puts a system event ($metadata in $$acc) into $all.
				_, err := c.SetStreamMetadata(ctxT(t), streamName("sys"), esdb.AppendToStreamOptions{}, esdb.StreamMetadata{})
				require.NoError(t, err)
				want := tc.want(acc, other)

				sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{
					From: esdb.Start{}, Filter: tc.filter(acc, other), MaxSearchWindow: 1, CheckpointInterval: 1,
				})
				require.NoError(t, err)
				ch := subEvents(t, sub)
				var got []*esdb.RecordedEvent
				checkpoints := 0
			catchUp:
				for {
					ev := next(t, ch)
					switch {
					case ev.EventAppeared != nil:
						got = append(got, ev.EventAppeared.OriginalEvent())
					case ev.CheckPointReached != nil:
						checkpoints++
					case ev.CaughtUp != nil:
						break catchUp
					default:
						t.Fatalf("unexpected %s", describe(ev))
					}
				}
				assert.Positive(t, checkpoints, "a checkpoint before CaughtUp")
				live := len(want) - len(got)
				appendEvents(t, c, acc, esdb.Any{}, jsonEvent("Late", 9))
				appendEvents(t, c, other, esdb.Any{}, jsonEvent("Closed", 9))
				for i := 0; i < live; i++ {
					got = append(got, nextEvent(t, ch))
				}
				assert.Equal(t, want, streamIDs(got))
				// Live events, matching or not, are counted for checkpoints
				// (window 1 x interval 1: one per event).
				ev := next(t, ch)
				for ev.CheckPointReached == nil {
					require.NotNil(t, ev.EventAppeared, describe(ev))
					ev = next(t, ch)
				}
			})
		}
	})

	t.Run("S6 checkpoint sentinel", func(t *testing.T) {
		_, c := setup(t)
		appendEvents(t, c, streamName("x"), esdb.Any{}, events("Nope", 2)...)
		sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{
			From: esdb.Start{}, Filter: &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Prefixes: []string{"Wanted"}},
		})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		ev := next(t, ch)
		require.NotNil(t, ev.CheckPointReached, describe(ev))
		assert.Equal(t, esdb.Position{Commit: math.MaxUint64, Prepare: math.MaxUint64}, *ev.CheckPointReached,
			"nothing delivered or checkpointed in a window of 32: the unknown position")
		require.NotNil(t, next(t, ch).CaughtUp)
	})

	t.Run("S7", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s7")
		appendEvents(t, c, s, esdb.Any{}, jsonEvent("E", 0))
		_, err := c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
		require.NoError(t, err)
		_, err = c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
		require.False(t, isUnwrapped(err), "wrapped")
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
	})

	t.Run("S8", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("s8")
		appendEvents(t, c, s, esdb.Any{}, jsonEvent("E", 0))
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		require.Len(t, waitCaughtUp(t, ch), 1)
		_, err = c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
		require.NoError(t, err)
		ev := nextEvent(t, ch)
		assert.Equal(t, "$streamDeleted", ev.EventType)
		assert.Equal(t, uint64(math.MaxInt64), ev.EventNumber)
		assert.Equal(t, "application/octet-stream", ev.ContentType)
		assert.Empty(t, ev.Data)
		dropped := next(t, ch).SubscriptionDropped
		require.NotNil(t, dropped)
		assert.Equal(t, codes.FailedPrecondition, status.Code(dropped.Error))
	})

	t.Run("S9", func(t *testing.T) {
		srv, c := setup(t)
		sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{})
		require.NoError(t, err)
		streamSub, err := c.SubscribeToStream(ctxT(t), streamName("s9"), esdb.SubscribeToStreamOptions{})
		require.NoError(t, err)
		require.Equal(t, 2, srv.Subscriptions())
		require.NoError(t, sub.Close())
		require.Eventually(t, func() bool { return srv.Subscriptions() == 1 }, wait, time.Millisecond,
			"the handler returns once the client cancels")
		require.NoError(t, streamSub.Close())
		require.Eventually(t, func() bool { return srv.Subscriptions() == 0 }, wait, time.Millisecond)
	})

	t.Run("S10", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("s10")
		appendEvents(t, c, s, esdb.Any{}, events("E", 40)...)
		sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: esdb.Start{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		assert.Len(t, waitCaughtUp(t, ch), 40, "no FellBehind during catch-up")
		for i := 0; i < 40; i++ {
			appendEvents(t, c, s, esdb.Any{}, jsonEvent("E", i))
		}
		for i := 0; i < 40; i++ {
			nextEvent(t, ch) // fails on FellBehind or anything else
		}
		srv.InjectFellBehind()
		ev := next(t, ch)
		assert.NotNil(t, ev.FellBehind, "only when injected: %s", describe(ev))
	})
}
