package kurrenttest_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestSystemEvents: like a real node, the server's $all starts with system events ($-streams) and
// keeps receiving them (stats), and a stream filter that leaves out '$' streams sees none of them.
func TestSystemEvents(t *testing.T) {
	t.Run("Y1", func(t *testing.T) {
		srv := kurrenttest.Start(t)
		c := connect(t, srv.URL())
		boot := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.NotEmpty(t, boot, "a fresh node's $all holds its own events")
		var streamsSeen []string
		for _, e := range boot {
			ev := e.Event
			assert.True(t, strings.HasPrefix(ev.StreamID, "$"), "%s is a system stream", ev.StreamID)
			assert.True(t, strings.HasPrefix(ev.EventType, "$"), "%s is a system event type", ev.EventType)
			assert.Positive(t, ev.Position.Commit)
			streamsSeen = append(streamsSeen, ev.StreamID)
		}
		assert.Contains(t, streamsSeen, "$settings")
		assert.Contains(t, streamsSeen, "$users")
		assert.Contains(t, streamsSeen, "$scavenges")
		assert.Contains(t, streamsSeen, "$$$scavenges", "metadata of a system stream: a $$$ stream")

		s := streamName("y1")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 1)...)
		srv.CollectStats()
		appendEvents(t, c, s, esdb.Revision(0), events("E", 1)...)
		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.Len(t, all, len(boot)+3)
		stats := all[len(boot)+1].Event
		assert.Equal(t, "$stats-"+srv.Addr(), stats.StreamID)
		assert.Equal(t, "$statsCollected", stats.EventType)
		assert.Equal(t, []string{s + "@0", stats.StreamID + "@0", s + "@1"}, streamIDs([]*esdb.RecordedEvent{
			all[len(boot)].Event, stats, all[len(boot)+2].Event}))

		// A filtered subscription that leaves out system streams sees only the test's events.
		sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: esdb.Start{},
			Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: `^(\$\$)?[^\$]`}})
		require.NoError(t, err)
		got := waitCaughtUp(t, subEvents(t, sub))
		assert.Equal(t, []string{s + "@0", s + "@1"}, streamIDs(got))
	})

	t.Run("Y2", func(t *testing.T) {
		// Stats keep coming on a timer, as on a real node (every 30 s there).
		srv := kurrenttest.Start(t, kurrenttest.Options{StatsInterval: 5 * time.Millisecond})
		c := connect(t, srv.URL())
		sub, err := c.SubscribeToAll(ctxT(t), esdb.SubscribeToAllOptions{From: esdb.End{}})
		require.NoError(t, err)
		ch := subEvents(t, sub)
		require.NotNil(t, next(t, ch).CaughtUp)
		for range 2 {
			ev := nextEvent(t, ch)
			assert.Equal(t, "$stats-"+srv.Addr(), ev.StreamID)
		}
	})
}

// TestIdempotentAppend: a batch sent again with the same event ids is answered with the original
// write's revision and position and written once (spec §4.2), at the same expected revision and with
// Any or StreamExists; other ids at a stale revision are still a wrong expected version.
func TestIdempotentAppend(t *testing.T) {
	t.Run("A9", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("a9")
		firstBatch := events("E", 2)
		first := appendEvents(t, c, s, esdb.NoStream{}, firstBatch...)
		batch := events("E", 3)
		orig := appendEvents(t, c, s, esdb.Revision(1), batch...)
		assert.Equal(t, uint64(4), orig.NextExpectedVersion)
		for _, exp := range []esdb.ExpectedRevision{esdb.Revision(1), esdb.Any{}, esdb.StreamExists{}} {
			again := appendEvents(t, c, s, exp, batch...)
			assert.Equal(t, orig.NextExpectedVersion, again.NextExpectedVersion, "%T: the original revision", exp)
			assert.Equal(t, orig.CommitPosition, again.CommitPosition, "%T: the original position", exp)
		}
		// The first batch again, expecting no stream.
		again := appendEvents(t, c, s, esdb.NoStream{}, firstBatch...)
		assert.Equal(t, first.CommitPosition, again.CommitPosition)
		assert.Equal(t, uint64(1), again.NextExpectedVersion)
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 100)
		require.NoError(t, err)
		assert.Equal(t, []uint64{0, 1, 2, 3, 4}, revisions(evs), "written once")

		// Other ids at a stale revision, or a re-send that is cut short, conflict as before.
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)}, events("E", 3)...)
		assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, esdbCode(t, err))
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)}, batch[0], events("X", 1)[0])
		assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, esdbCode(t, err))
		evs, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 100)
		require.NoError(t, err)
		assert.Len(t, evs, 5)
	})
}

// TestSoftDeleteAndTombstone: the whole life of a deleted stream as $all and reads show it.
func TestSoftDeleteAndTombstone(t *testing.T) {
	t.Run("D7", func(t *testing.T) {
		// Soft delete, then an append: reads answer NotFound in between, numbering continues,
		// and $all holds the delete record ($tb = MaxInt64) and the undelete's ($tb = next).
		_, c := setup(t)
		s := streamName("d7")
		appendEvents(t, c, s, esdb.NoStream{}, events("Old", 2)...)
		_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(1)})
		require.NoError(t, err)
		_, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeResourceNotFound, esdbCode(t, err))
		_, err = readStream(t, c, s, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
		assert.Equal(t, esdb.ErrorCodeResourceNotFound, esdbCode(t, err), "backwards too")
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.StreamExists{}}, events("New", 1)...)
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err), "StreamExists on a soft-deleted stream")

		res := appendEvents(t, c, s, esdb.Revision(1), events("New", 1)...)
		assert.Equal(t, uint64(2), res.NextExpectedVersion, "numbering continues")
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{2}, revisions(evs))

		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		var got []string
		for _, e := range all {
			got = append(got, e.Event.StreamID+" "+e.Event.EventType+" "+string(e.Event.Data))
		}
		require.Len(t, got, 5)
		assert.Equal(t, "$$"+s+" $metadata "+`{"$tb":9223372036854775807}`, got[2], "the delete record")
		assert.Equal(t, "$$"+s+" $metadata "+`{"$tb":2}`, got[3], "the undelete record")
		assert.True(t, strings.HasPrefix(got[4], s+" New "))
	})

	t.Run("D8", func(t *testing.T) {
		// Tombstone after a soft delete: the tombstone record (revision MaxInt64) ends $all, every
		// read and write of the stream or its metadata answers stream-deleted, and a re-sent
		// batch is not taken for a duplicate.
		_, c := setup(t)
		s := streamName("d8")
		batch := events("E", 2)
		appendEvents(t, c, s, esdb.NoStream{}, batch...)
		_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
		require.NoError(t, err)
		_, err = c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
		require.NoError(t, err)
		all := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
		require.Len(t, all, 1)
		assert.Equal(t, s, all[0].Event.StreamID)
		assert.Equal(t, "$streamDeleted", all[0].Event.EventType)
		assert.Equal(t, uint64(math.MaxInt64), all[0].Event.EventNumber)
		_, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.GetStreamMetadata(ctxT(t), s, esdb.ReadStreamOptions{})
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)}, batch[1])
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err), "a re-send to a tombstoned stream")
	})
}

// TestTamperHooks: DropEvent and SwapEvents change what is stored as no client can.
func TestTamperHooks(t *testing.T) {
	t.Run("T1", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("t1")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 4)...)
		before := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.NoError(t, srv.DropEvent(s, 1))
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{0, 2, 3}, revisions(evs), "a gap in the stream")
		back, err := readStream(t, c, s, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3, 2, 0}, revisions(back))
		after := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.Len(t, after, len(before)-1, "and in $all")
		assert.Equal(t, before[2].Event.Position, after[1].Event.Position, "the others keep their positions")
		sub, err := c.SubscribeToStream(ctxT(t), s, esdb.SubscribeToStreamOptions{From: esdb.Start{}})
		require.NoError(t, err)
		assert.Equal(t, []string{s + "@0", s + "@2", s + "@3"}, streamIDs(waitCaughtUp(t, subEvents(t, sub))))
		assert.Error(t, srv.DropEvent(s, 1), "already gone")
		assert.Error(t, srv.DropEvent(s, 9))
	})

	t.Run("T2", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("t2")
		evs := events("E", 3)
		appendEvents(t, c, s, esdb.NoStream{}, evs...)
		before := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.NoError(t, srv.SwapEvents(s, 0, 2))
		got, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		require.Len(t, got, 3)
		assert.Equal(t, []uint64{0, 1, 2}, revisions(got), "revisions stay")
		assert.Equal(t, evs[2].EventID, got[0].Event.EventID, "contents swapped")
		assert.Equal(t, evs[0].EventID, got[2].Event.EventID)
		after := readAll(t, c, esdb.ReadAllOptions{}, 100)
		assert.Equal(t, before[0].Event.Position, after[0].Event.Position)
		assert.Equal(t, evs[2].EventID, after[0].Event.EventID, "$all reads the swap too")
	})
}
