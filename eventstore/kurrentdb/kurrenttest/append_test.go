package kurrenttest_test

import (
	"encoding/binary"
	"math"
	"sort"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppend covers the append items A1-A8 of the spec's §10 checklist.
func TestAppend(t *testing.T) {
	t.Run("A1", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("a1")
		for _, tc := range []struct {
			exp   esdb.ExpectedRevision
			check func(t *testing.T, o *streams.AppendReq_Options)
		}{
			{esdb.NoStream{}, func(t *testing.T, o *streams.AppendReq_Options) { assert.NotNil(t, o.GetNoStream()) }},
			{esdb.Any{}, func(t *testing.T, o *streams.AppendReq_Options) { assert.NotNil(t, o.GetAny()) }},
			{esdb.StreamExists{}, func(t *testing.T, o *streams.AppendReq_Options) { assert.NotNil(t, o.GetStreamExists()) }},
			{esdb.Revision(8), func(t *testing.T, o *streams.AppendReq_Options) {
				rev, ok := o.GetExpectedStreamRevision().(*streams.AppendReq_Options_Revision)
				require.True(t, ok)
				assert.Equal(t, uint64(8), rev.Revision)
			}},
		} {
			evs := events("E", 3) // fresh ids: the same ids again would be deduplicated
			appendEvents(t, c, s, tc.exp, evs...)
			all := srv.Appends()
			msgs := all[len(all)-1]
			require.Len(t, msgs, 1+len(evs), "options, then one message per event, then end of stream")
			o := msgs[0].GetOptions()
			require.NotNil(t, o)
			assert.Equal(t, s, string(o.GetStreamIdentifier().GetStreamName()))
			tc.check(t, o)
			for i, m := range msgs[1:] {
				pm := m.GetProposedMessage()
				require.NotNil(t, pm)
				assert.JSONEq(t, string(evs[i].Data), string(pm.GetData()), "events in order")
			}
		}
	})

	t.Run("A2", func(t *testing.T) {
		srv, c := setup(t)
		evs := []esdb.EventData{
			{EventID: uuid.New(), EventType: "J", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)},
			{EventID: uuid.New(), EventType: "B", ContentType: esdb.ContentTypeBinary},
		}
		appendEvents(t, c, streamName("a2"), esdb.Any{}, evs...)
		msgs := srv.Appends()[0][1:]
		require.Len(t, msgs, 2)
		for i, want := range []struct{ typ, contentType string }{{"J", "application/json"}, {"B", "application/octet-stream"}} {
			pm := msgs[i].GetProposedMessage()
			st := pm.GetId().GetStructured()
			require.NotNil(t, st, "structured UUID")
			var b [16]byte
			binary.BigEndian.PutUint64(b[:8], uint64(st.GetMostSignificantBits()))
			binary.BigEndian.PutUint64(b[8:], uint64(st.GetLeastSignificantBits()))
			assert.Equal(t, evs[i].EventID, uuid.UUID(b))
			assert.Equal(t, map[string]string{"type": want.typ, "content-type": want.contentType}, pm.GetMetadata())
			// The client sends empty, never nil, slices; proto3 encodes both
			// the same way (an absent field), so on the wire "non-nil" means
			// the bytes are exactly the event's.
			assert.Equal(t, string(evs[i].Data), string(pm.GetData()))
			assert.Equal(t, string(evs[i].Metadata), string(pm.GetCustomMetadata()))
		}
	})

	t.Run("A3", func(t *testing.T) {
		_, c := setup(t)
		existing := func(t *testing.T) string {
			s := streamName("a3")
			appendEvents(t, c, s, esdb.NoStream{}, events("E", 2)...) // last revision 1
			return s
		}
		softDeleted := func(t *testing.T) string {
			s := existing(t)
			_, err := c.DeleteStream(ctxT(t), s, esdb.DeleteStreamOptions{})
			require.NoError(t, err)
			return s
		}
		withMetadataOnly := func(t *testing.T) string {
			s := streamName("a3")
			_, err := c.SetStreamMetadata(ctxT(t), s, esdb.AppendToStreamOptions{}, esdb.StreamMetadata{})
			require.NoError(t, err)
			return s
		}
		tombstoned := func(t *testing.T) string {
			s := existing(t)
			_, err := c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
			require.NoError(t, err)
			return s
		}
		fresh := func(*testing.T) string { return streamName("a3") }
		const ok, wev, deleted = "ok", "wrong expected version", "stream deleted"
		for _, tc := range []struct {
			name    string
			stream  func(*testing.T) string
			exp     esdb.ExpectedRevision
			want    string
			wantRev uint64 // NextExpectedVersion on success
			wantMsg string // on wrong expected version
		}{
			{"Any/new", fresh, esdb.Any{}, ok, 0, ""},
			{"Any/existing", existing, esdb.Any{}, ok, 2, ""},
			{"NoStream/new", fresh, esdb.NoStream{}, ok, 0, ""},
			{"NoStream/soft-deleted", softDeleted, esdb.NoStream{}, ok, 2, ""},
			{"NoStream/existing", existing, esdb.NoStream{}, wev, 0, "expecting 'no_stream' but got '1'"},
			{"StreamExists/existing", existing, esdb.StreamExists{}, ok, 2, ""},
			{"StreamExists/new", fresh, esdb.StreamExists{}, wev, 0, "expecting 'stream_exists' but got 'no_stream'"},
			{"StreamExists/metadata only", withMetadataOnly, esdb.StreamExists{}, ok, 0, ""},
			{"StreamExists/soft-deleted", softDeleted, esdb.StreamExists{}, deleted, 0, ""},
			{"Revision/current", existing, esdb.Revision(1), ok, 2, ""},
			{"Revision/soft-deleted last", softDeleted, esdb.Revision(1), ok, 2, ""},
			{"Revision/behind", existing, esdb.Revision(0), wev, 0, "expecting '0' but got '1'"},
			{"Revision/ahead", existing, esdb.Revision(5), wev, 0, "expecting '5' but got '1'"},
			{"Revision/new", fresh, esdb.Revision(0), wev, 0, "expecting '0' but got 'no_stream'"},
			{"Any/tombstoned", tombstoned, esdb.Any{}, deleted, 0, ""},
			{"NoStream/tombstoned", tombstoned, esdb.NoStream{}, deleted, 0, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := tc.stream(t)
				res, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: tc.exp}, jsonEvent("New", 9))
				switch tc.want {
				case ok:
					require.NoError(t, err)
					assert.Equal(t, tc.wantRev, res.NextExpectedVersion)
				case wev:
					require.Equal(t, esdb.ErrorCodeWrongExpectedVersion, esdbCode(t, err))
					assert.Contains(t, err.Error(), tc.wantMsg)
				case deleted:
					require.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
				}
			})
		}
	})

	t.Run("A4", func(t *testing.T) {
		_, c := setup(t)
		appendEvents(t, c, streamName("other"), esdb.Any{}, events("E", 2)...)
		const k = 4
		res := appendEvents(t, c, streamName("a4"), esdb.NoStream{}, events("E", k)...)
		assert.Equal(t, uint64(k-1), res.NextExpectedVersion)
		assert.Equal(t, res.CommitPosition, res.PreparePosition)
		assert.Positive(t, res.CommitPosition)
		last := readAll(t, c, esdb.ReadAllOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
		require.Len(t, last, 1)
		assert.Equal(t, esdb.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition}, last[0].OriginalEvent().Position)
		assert.Equal(t, uint64(k-1), last[0].OriginalEvent().EventNumber)
	})

	t.Run("A5", func(t *testing.T) {
		srv, c := setup(t)
		s := streamName("a5")
		_, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.StreamExists{}}, jsonEvent("E", 0))
		require.True(t, isUnwrapped(err), "%T", err)
		e, _ := esdb.FromError(err)
		assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, e.Code())
		assert.Contains(t, err.Error(), "expecting 'stream_exists' but got 'no_stream'")

		// On the wire: status OK and a WrongExpectedVersion message with the legacy fields.
		appendEvents(t, c, s, esdb.NoStream{}, events("E", 1)...)
		ac, err := rawStreams(t, srv).Append(ctxT(t))
		require.NoError(t, err)
		require.NoError(t, ac.Send(&streams.AppendReq{Content: &streams.AppendReq_Options_{Options: &streams.AppendReq_Options{
			StreamIdentifier:       &shared.StreamIdentifier{StreamName: []byte(s)},
			ExpectedStreamRevision: &streams.AppendReq_Options_NoStream{NoStream: &shared.Empty{}},
		}}}))
		resp, err := ac.CloseAndRecv()
		require.NoError(t, err, "status OK")
		w := resp.GetWrongExpectedVersion()
		require.NotNil(t, w)
		assert.NotNil(t, w.GetExpectedNoStream())
		assert.Equal(t, uint64(math.MaxUint64), w.GetExpectedRevision_20_6_0())
		assert.Equal(t, uint64(0), w.GetCurrentRevision())
		assert.IsType(t, &streams.AppendResp_WrongExpectedVersion_CurrentRevision{}, w.GetCurrentRevisionOption())
		assert.IsType(t, &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{}, w.GetCurrentRevisionOption_20_6_0())
	})

	t.Run("A6", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("a6")
		appendEvents(t, c, s, esdb.Any{}, events("E", 1)...)
		_, err := c.TombstoneStream(ctxT(t), s, esdb.TombstoneStreamOptions{})
		require.NoError(t, err)
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, jsonEvent("E", 1))
		require.True(t, isUnwrapped(err), "%T", err)
		assert.Equal(t, esdb.ErrorCodeStreamDeleted, esdbCode(t, err))
		assert.Contains(t, err.Error(), s)
	})

	t.Run("A7", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("a7")
		res, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}})
		require.NoError(t, err)
		assert.Positive(t, res.CommitPosition)
		_, err = readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		assert.Equal(t, esdb.ErrorCodeResourceNotFound, esdbCode(t, err), "no event written")

		appendEvents(t, c, s, esdb.NoStream{}, events("E", 2)...)
		before := readAll(t, c, esdb.ReadAllOptions{}, 100)
		res, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)})
		require.NoError(t, err)
		assert.Equal(t, uint64(1), res.NextExpectedVersion)
		_, err = c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)})
		assert.Equal(t, esdb.ErrorCodeWrongExpectedVersion, esdbCode(t, err), "the expected revision is still checked")
		assert.Len(t, readAll(t, c, esdb.ReadAllOptions{}, 100), len(before))
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 10)
		require.NoError(t, err)
		assert.Equal(t, []uint64{0, 1}, revisions(evs))
	})

	t.Run("A8", func(t *testing.T) {
		_, c := setup(t)
		s := streamName("a8")
		const writers, each = 8, 10
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			revs []uint64
			errs []error
		)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					res, err := c.AppendToStream(ctxT(t), s, esdb.AppendToStreamOptions{}, jsonEvent("E", i))
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else {
						revs = append(revs, res.NextExpectedVersion)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Empty(t, errs)
		sort.Slice(revs, func(i, j int) bool { return revs[i] < revs[j] })
		want := make([]uint64, writers*each)
		for i := range want {
			want[i] = uint64(i)
		}
		assert.Equal(t, want, revs, "each append got its own revision")
		evs, err := readStream(t, c, s, esdb.ReadStreamOptions{}, 1000)
		require.NoError(t, err)
		assert.Equal(t, want, revisions(evs), "no gaps, no duplicates")
	})
}
