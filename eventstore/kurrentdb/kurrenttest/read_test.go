package kurrenttest_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
)

// TestRead covers the read items R1-R7 of the spec's §10 checklist.
func TestRead(t *testing.T) {
	t.Run("R1", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("r1")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 5)...)
		rs, err := c.ReadStream(ctxT(t), s, esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Start{}}, 3)
		require.NoError(t, err)
		defer rs.Close()
		for want := uint64(0); want < 3; want++ {
			ev, err := rs.Recv()
			require.NoError(t, err)
			assert.Equal(t, want, ev.OriginalEvent().EventNumber)
		}
		_, err = rs.Recv()
		assert.ErrorIs(t, err, io.EOF)
		_, err = rs.Recv()
		assert.ErrorIs(t, err, io.EOF, "io.EOF again")
	})

	t.Run("R2", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("r2")
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 5)...)
		for _, tc := range []struct {
			name string
			opts esdb.ReadStreamOptions
			want []uint64
		}{
			{"Backwards/End", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, []uint64{4, 3, 2, 1, 0}},
			{"Backwards/Revision", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(2)}, []uint64{2, 1, 0}},
			{"Backwards/Revision beyond end", esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.Revision(99)}, []uint64{4, 3, 2, 1, 0}},
			{"Forwards/Revision", esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(2)}, []uint64{2, 3, 4}},
			{"Forwards beyond end", esdb.ReadStreamOptions{Direction: esdb.Forwards, From: esdb.Revision(5)}, []uint64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				evs, err := readStream(t, c, s, tc.opts, 10)
				require.NoError(t, err)
				assert.Equal(t, tc.want, revisions(evs))
			})
		}
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 2)
		require.NoError(t, err)
		assert.Equal(t, []uint64{4, 3}, revisions(evs), "count applies backwards")
	})

	t.Run("R3", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("r3")
		rs, err := c.ReadStream(ctxT(t), s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		defer rs.Close()
		_, err = rs.Recv()
		require.True(t, isUnwrapped(err), "%T", err)
		assert.Equal(t, esdb.ErrorCodeResourceNotFound, esdbCode(t, err))
		assert.Contains(t, err.Error(), s)
		_, err = rs.Recv()
		assert.ErrorIs(t, err, io.EOF)
	})

	t.Run("R4", func(t *testing.T) {
		now := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)
		_, c := setup(t, kurrenttest.Options{Now: func() time.Time { return now }})
		s := streamName("r4")
		in := []esdb.EventData{
			{EventID: uuid.New(), EventType: "Opened", ContentType: esdb.ContentTypeJson, Data: []byte(`{"a":1}`), Metadata: []byte(`{"by":"x"}`)},
			{EventID: uuid.New(), EventType: "Blob", ContentType: esdb.ContentTypeBinary, Data: []byte{0, 1, 2, 255}, Metadata: []byte{9}},
		}
		res := appendEvents(t, c, s, esdb.NoStream{}, in...)
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		require.Len(t, evs, 2)
		all := readAll(t, c, esdb.ReadAllOptions{}, 100)
		for i, ev := range evs {
			got := ev.Event
			require.NotNil(t, got)
			assert.Nil(t, ev.Link)
			assert.Equal(t, in[i].EventID, got.EventID)
			assert.Equal(t, in[i].EventType, got.EventType)
			assert.Equal(t, map[esdb.ContentType]string{esdb.ContentTypeJson: "application/json", esdb.ContentTypeBinary: "application/octet-stream"}[in[i].ContentType], got.ContentType)
			assert.Equal(t, in[i].Data, got.Data)
			assert.Equal(t, in[i].Metadata, got.UserMetadata)
			assert.Equal(t, s, got.StreamID)
			assert.Equal(t, uint64(i), got.EventNumber)
			assert.Equal(t, now.Truncate(100*time.Nanosecond), got.CreatedDate, "tick precision")
			assert.Equal(t, all[i].Event.Position, got.Position, "stream reads carry the $all position")
			require.NotNil(t, ev.Commit)
			assert.Equal(t, got.Position.Commit, *ev.Commit)
		}
		assert.Equal(t, res.CommitPosition, evs[1].Event.Position.Commit)

		// With the real clock, CreatedDate is within the append's time window.
		_, c2 := setup(t)
		before := time.Now()
		appendEvents(t, c2, s, esdb.NoStream{}, in[0])
		after := time.Now()
		evs, err = readStream(t, c2, s, esdb.ReadStreamOptions{}, 1)
		require.NoError(t, err)
		created := evs[0].Event.CreatedDate
		assert.False(t, created.Before(before.Truncate(100*time.Nanosecond)), "%v before %v", created, before)
		assert.False(t, created.After(after), "%v after %v", created, after)
	})

	t.Run("R5", func(t *testing.T) {
		_, c := setup(t)
		a, b := streamName("r5a"), streamName("r5b")
		appendEvents(t, c, a, esdb.Any{}, jsonEvent("E", 0))
		appendEvents(t, c, b, esdb.Any{}, jsonEvent("E", 1))
		appendEvents(t, c, a, esdb.Any{}, jsonEvent("E", 2))
		appendEvents(t, c, b, esdb.Any{}, jsonEvent("E", 3))
		names := func(evs []*esdb.ResolvedEvent) []string {
			out := make([]string, len(evs))
			for i, e := range evs {
				out[i] = e.OriginalEvent().StreamID
			}
			return out
		}
		fwd := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Forwards, From: esdb.Start{}}, 100)
		require.Equal(t, []string{a, b, a, b}, names(fwd), "append order across streams")
		for i := 1; i < len(fwd); i++ {
			assert.Greater(t, fwd[i].OriginalEvent().Position.Commit, fwd[i-1].OriginalEvent().Position.Commit)
		}
		p := fwd[2].OriginalEvent().Position
		from := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Forwards, From: p}, 100)
		assert.Equal(t, []string{a, b}, names(from))
		assert.Equal(t, p, from[0].OriginalEvent().Position, "forwards from P includes P")
		back := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: p}, 100)
		require.Len(t, back, 2, "backwards from P excludes P")
		assert.Equal(t, fwd[1].OriginalEvent().Position, back[0].OriginalEvent().Position)
		assert.Equal(t, fwd[0].OriginalEvent().Position, back[1].OriginalEvent().Position)
		newest := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 2)
		assert.Equal(t, fwd[3].OriginalEvent().Position, newest[0].OriginalEvent().Position)
		assert.Equal(t, fwd[2].OriginalEvent().Position, newest[1].OriginalEvent().Position)
		assert.Empty(t, readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Forwards, From: esdb.End{}}, 100))
		assert.Empty(t, readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.Start{}}, 100))
	})

	t.Run("R6", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("r6")
		appendEvents(t, c, s, esdb.Any{}, events("E", 3)...)
		// Through the client: none of these panics with "unreachable code".
		for _, opts := range []esdb.ReadStreamOptions{
			{}, {Direction: esdb.Backwards, From: esdb.End{}}, {From: esdb.Revision(7)},
		} {
			_, err := readStream(t, c, s, opts, 10)
			require.NoError(t, err)
		}
		_, err := readStream(t, c, streamName("missing"), esdb.ReadStreamOptions{}, 10)
		require.Error(t, err)
		readAll(t, c, esdb.ReadAllOptions{}, 10)
		readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 10)

		// On the wire: only Event, or StreamNotFound alone.
		raw := rawStreams(t, srv)
		read := func(o *streams.ReadReq_Options) []*streams.ReadResp {
			o.CountOption = &streams.ReadReq_Options_Count{Count: 10}
			o.FilterOption = &streams.ReadReq_Options_NoFilter{NoFilter: &shared.Empty{}}
			o.UuidOption = &streams.ReadReq_Options_UUIDOption{Content: &streams.ReadReq_Options_UUIDOption_Structured{Structured: &shared.Empty{}}}
			rc, err := raw.Read(ctxT(t), &streams.ReadReq{Options: o})
			require.NoError(t, err)
			var out []*streams.ReadResp
			for {
				m, err := rc.Recv()
				if errors.Is(err, io.EOF) {
					return out
				}
				require.NoError(t, err)
				out = append(out, m)
			}
		}
		streamOpt := func(name string) *streams.ReadReq_Options {
			return &streams.ReadReq_Options{StreamOption: &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{
				StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
				RevisionOption:   &streams.ReadReq_Options_StreamOptions_Start{Start: &shared.Empty{}},
			}}}
		}
		for _, m := range read(streamOpt(s)) {
			assert.IsType(t, &streams.ReadResp_Event{}, m.GetContent())
		}
		missing := read(streamOpt(streamName("missing")))
		require.Len(t, missing, 1)
		assert.IsType(t, &streams.ReadResp_StreamNotFound_{}, missing[0].GetContent())
		for _, m := range read(&streams.ReadReq_Options{StreamOption: &streams.ReadReq_Options_All{All: &streams.ReadReq_Options_AllOptions{
			AllOption: &streams.ReadReq_Options_AllOptions_Start{Start: &shared.Empty{}},
		}}}) {
			assert.IsType(t, &streams.ReadResp_Event{}, m.GetContent())
		}
	})

	t.Run("R7", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("r7")
		var m1 esdb.StreamMetadata
		m1.SetMaxAge(time.Hour)
		m1.AddCustomProperty("owner", "ledger")
		_, err := c.SetStreamMetadata(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, m1)
		require.NoError(t, err)
		got, err := c.GetStreamMetadata(ctxT(t), s, esdb.ReadStreamOptions{})
		require.NoError(t, err)
		require.NotNil(t, got.MaxAge())
		assert.Equal(t, time.Hour, *got.MaxAge())
		assert.Equal(t, "ledger", got.CustomProperty("owner"))

		var m2 esdb.StreamMetadata
		m2.SetMaxCount(7)
		_, err = c.SetStreamMetadata(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)}, m2)
		require.NoError(t, err)
		got, err = c.GetStreamMetadata(ctxT(t), s, esdb.ReadStreamOptions{})
		require.NoError(t, err)
		require.NotNil(t, got.MaxCount())
		assert.Equal(t, uint64(7), *got.MaxCount())
		assert.Nil(t, got.MaxAge(), "the latest metadata replaces the earlier one")

		// The metadata stream is read with maxCount 1: only the latest event.
		evs, err := readStream(t, c, "$$"+s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{1}, revisions(evs))
		assert.Equal(t, "$metadata", evs[0].Event.EventType)
	})
}
