package kurrenttest_test

import (
	"math"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TestDelete covers the delete and tombstone items D1-D6 of the spec's §10 checklist.
func TestDelete(t *testing.T) {
	t.Run("D1", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("d1")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 2)...)
		res, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
		require.NoError(t, err)
		assert.Positive(t, res.Position.Commit)
		assert.Equal(t, res.Position.Commit, res.Position.Prepare)

		_, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeResourceNotFound, esdbCode(t, err))

		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.Len(t, all, 3)
		assert.Equal(t, s, all[0].Event.StreamID)
		assert.Equal(t, s, all[1].Event.StreamID)
		assert.Equal(t, "$$"+s, all[2].Event.StreamID)
		assert.Equal(t, "$metadata", all[2].Event.EventType)
		assert.Equal(t, res.Position, all[2].Event.Position)

		assert.JSONEq(t, `{"$tb":9223372036854775807}`, string(all[2].Event.Data), "$tb = MaxInt64 on the wire")
		meta, err := c.GetStreamMetadata(ctxT(t), s, esdb.ReadStreamOptions{})
		require.NoError(t, err)
		require.NotNil(t, meta.TruncateBefore())
		// The client decodes metadata numbers through float64, so MaxInt64
		// comes back rounded to 2^63 (a real server gives the same).
		assert.Equal(t, uint64(1)<<63, *meta.TruncateBefore())

		// Deleting again is allowed.
		_, err = c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(1)})
		require.NoError(t, err)
	})

	t.Run("D2", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("d2")
		for _, exp := range []esdb.ExpectedRevision{esdb.Any{}, esdb.NoStream{}} {
			_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{ExpectedRevision: exp})
			require.False(t, isUnwrapped(err), "wrapped: %v", err)
			assert.Equal(t, esdb.ErrorCodeUnknown, esdbCode(t, err))
		}
		// On the wire: FailedPrecondition with the wrong-expected-version trailers.
		var trailer metadata.MD
		_, err := rawStreams(t, srv).Delete(ctxT(t), &streams.DeleteReq{Options: &streams.DeleteReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte(s)},
			ExpectedStreamRevision: &streams.DeleteReq_Options_Any{Any: &shared.Empty{}},
		}}, grpc.Trailer(&trailer))
		assert.Equal(t, codes.FailedPrecondition, status.Code(err))
		assert.Equal(t, []string{"wrong-expected-version"}, trailer.Get("exception"))
		assert.Equal(t, []string{s}, trailer.Get("stream-name"))
		assert.Equal(t, []string{"-2"}, trailer.Get("expected-version"))
		assert.Equal(t, []string{"-1"}, trailer.Get("actual-version"))
	})

	t.Run("D3", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("d3")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 3)...)
		_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{ExpectedRevision: esdb.Revision(1)})
		require.False(t, isUnwrapped(err))
		assert.Equal(t, esdb.ErrorCodeUnknown, esdbCode(t, err))
		_, err = c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Revision(7)})
		require.False(t, isUnwrapped(err))
		assert.Equal(t, esdb.ErrorCodeUnknown, esdbCode(t, err))
		_, err = c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.NoStream{}})
		assert.Equal(t, esdb.ErrorCodeUnknown, esdbCode(t, err))
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Len(t, evs, 3, "nothing was deleted")
	})

	t.Run("D4", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("d4")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 2)...)
		res, err := c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Revision(1)})
		require.NoError(t, err)
		assert.Positive(t, res.Position.Commit)

		_, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = readStream(t, c, "$$"+s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, jsonEvent("E", 0))
		assert.True(t, isUnwrapped(err))
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.SetStreamMetadata(ctxT(t), s, esdb.AppendToStreamOptions{}, esdb.StreamMetadata{})
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
		assert.False(t, isUnwrapped(err))
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		_, err = c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
		assert.False(t, isUnwrapped(err))
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))

		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		require.Len(t, all, 3, "old events and the tombstone record stay in $all")
		assert.Equal(t, "$streamDeleted", all[2].Event.EventType)
		assert.Equal(t, uint64(math.MaxInt64), all[2].Event.EventNumber)
		assert.Equal(t, res.Position, all[2].Event.Position)

		// Tombstoning a stream that never existed succeeds.
		_, err = c.TombstoneStream(ctxT(t), streamName("never"), esdb.TombstoneStreamOptions{ExpectedRevision: esdb.NoStream{}})
		require.NoError(t, err)
	})

	t.Run("D5", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("d5")
		appendEvents(t, c, s, esdb.NoStream{}, events("Old", 3)...) // last 2
		_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
		require.NoError(t, err)
		const k = 2
		res := appendEvents(t, c, s, esdb.Any{}, events("New", k)...)
		assert.Equal(t, uint64(2+k), res.NextExpectedVersion)
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{3, 4}, revisions(evs))
		for _, ev := range evs {
			assert.Equal(t, "New", ev.Event.EventType)
		}
		meta, err := c.GetStreamMetadata(ctxT(t), s, esdb.ReadStreamOptions{})
		require.NoError(t, err)
		require.NotNil(t, meta.TruncateBefore())
		assert.Equal(t, uint64(3), *meta.TruncateBefore(), "undelete rewrites $tb")
	})

	t.Run("D6", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("d6")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 1)...)
		raw := rawStreams(t, srv)
		del, err := raw.Delete(ctxT(t), &streams.DeleteReq{Options: &streams.DeleteReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte(s)},
			ExpectedStreamRevision: &streams.DeleteReq_Options_Revision{Revision: 0},
		}})
		require.NoError(t, err)
		require.IsType(t, &streams.DeleteResp_Position_{}, del.GetPositionOption())
		assert.Equal(t, del.GetPosition().GetCommitPosition(), del.GetPosition().GetPreparePosition())
		tomb, err := raw.Tombstone(ctxT(t), &streams.TombstoneReq{Options: &streams.TombstoneReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte(s)},
			ExpectedStreamRevision: &streams.TombstoneReq_Options_Any{Any: &shared.Empty{}},
		}})
		require.NoError(t, err)
		require.IsType(t, &streams.TombstoneResp_Position_{}, tomb.GetPositionOption())
		assert.Greater(t, tomb.GetPosition().GetCommitPosition(), del.GetPosition().GetCommitPosition())
	})
}
