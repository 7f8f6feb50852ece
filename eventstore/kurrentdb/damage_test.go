package kurrentdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// streamErr reads a whole stream and returns the error that ended the read (nil: none).
func streamErr(s *kurrentdb.Store, stream string, dir eventstore.Direction) error {
	for _, err := range s.ReadStream(bg, stream, eventstore.Start, dir, 0) {
		if err != nil {
			return err
		}
	}
	return nil
}

// allErr reads the whole log and returns the error that ended the read (nil: none).
func allErr(s *kurrentdb.Store) error {
	for _, err := range s.ReadAll(bg, 0, eventstore.Forward, 0) {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestTamperedKurrentDB is the tamper table through the adapter: what a KurrentDB administrator (or
// a damaged database) can do to a ledger stream behind the ledger's back. Every change ends in
// eventstore.ErrDamaged from stream reads, from appends and from audit.Verify (which reads $all),
// on a Store opened afterwards and on the Store that was open while it happened; a swap of two
// events' contents is caught by the reads as damage and by Verify as a broken chain. An append reads
// only the stream's end, so damage further back is left to reads and Verify.
func TestTamperedKurrentDB(t *testing.T) {
	var meta = func(set func(*esdb.StreamMetadata)) func(*testing.T, *kurrenttest.Server, *esdb.Client) {
		return func(t *testing.T, _ *kurrenttest.Server, raw *esdb.Client) {
			var m esdb.StreamMetadata
			set(&m)
			_, err := raw.SetStreamMetadata(bg, "p-1", esdb.AppendToStreamOptions{}, m)
			require.NoError(t, err)
		}
	}
	for _, tc := range []struct {
		name     string
		tamper   func(*testing.T, *kurrenttest.Server, *esdb.Client)
		tampered bool // Verify reports a broken chain (not intact) rather than failing with damage
		midway   bool // the damage is inside the stream, where an append (which reads only the end) does not look
	}{
		{name: "soft delete", tamper: func(t *testing.T, _ *kurrenttest.Server, raw *esdb.Client) {
			_, err := raw.DeleteStream(bg, "p-1", esdb.DeleteStreamOptions{})
			require.NoError(t, err)
		}},
		{name: "soft delete, then an append continues the numbering", tamper: func(t *testing.T, _ *kurrenttest.Server, raw *esdb.Client) {
			_, err := raw.DeleteStream(bg, "p-1", esdb.DeleteStreamOptions{})
			require.NoError(t, err)
			_, err = raw.AppendToStream(bg, "p-1", esdb.AppendToStreamOptions{},
				esdb.EventData{EventType: "Other", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)})
			require.NoError(t, err)
		}},
		{name: "tombstone", tamper: func(t *testing.T, _ *kurrenttest.Server, raw *esdb.Client) {
			_, err := raw.TombstoneStream(bg, "p-1", esdb.TombstoneStreamOptions{})
			require.NoError(t, err)
		}},
		{name: "$tb", tamper: meta(func(m *esdb.StreamMetadata) { m.SetTruncateBefore(2) })},
		{name: "$maxCount", tamper: meta(func(m *esdb.StreamMetadata) { m.SetMaxCount(1) })},
		{name: "$maxAge", tamper: meta(func(m *esdb.StreamMetadata) { m.SetMaxAge(time.Hour) })},
		{name: "gap", midway: true, tamper: func(t *testing.T, srv *kurrenttest.Server, _ *esdb.Client) {
			require.NoError(t, srv.DropEvent("p-1", 1))
		}},
		{name: "first event gone", midway: true, tamper: func(t *testing.T, srv *kurrenttest.Server, _ *esdb.Client) {
			require.NoError(t, srv.DropEvent("p-1", 0))
		}},
		{name: "reordered", tampered: true, midway: true, tamper: func(t *testing.T, srv *kurrenttest.Server, _ *esdb.Client) {
			require.NoError(t, srv.SwapEvents("p-1", 0, 2))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := kurrenttest.Start(t)
			raw := rawClient(t, srv.URL())
			before := open(t, srv.URL(), kurrentdb.Options{})
			for i := range 3 {
				for _, stream := range []string{"p-1", "p-2"} {
					_, err := before.Append(bg, stream, eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
					require.NoError(t, err)
				}
				srv.CollectStats() // system events between the ledger's, as on a real node
			}
			rep, err := audit.Verify(bg, before, nil)
			require.NoError(t, err)
			require.True(t, rep.Intact)

			tc.tamper(t, srv, raw)

			after := open(t, srv.URL(), kurrentdb.Options{})
			for _, s := range []*kurrentdb.Store{after, before} {
				// The Store that was open learns of metadata and tombstones through its subscription
				// (until then, appends do not know).
				require.Eventually(t, func() bool {
					return errors.Is(streamErr(s, "p-1", eventstore.Forward), eventstore.ErrDamaged) &&
						(tc.midway || errors.Is(allErr(s), eventstore.ErrDamaged))
				}, 10*time.Second, time.Millisecond, "forward stream read")
				assert.ErrorIs(t, streamErr(s, "p-1", eventstore.Backward), eventstore.ErrDamaged, "backward stream read")
				if !tc.midway {
					_, err := s.Append(bg, "p-1", eventstore.Any, storetest.Event("T", `{"after":true}`))
					assert.ErrorIs(t, err, eventstore.ErrDamaged, "append")
				}
				assert.NoError(t, streamErr(s, "p-2", eventstore.Forward), "the other stream reads as before")
			}
			rep, err = audit.Verify(bg, after, nil)
			if tc.tampered {
				require.NoError(t, err)
				assert.False(t, rep.Intact)
				require.NotNil(t, rep.FirstBad)
				assert.Equal(t, "p-1", rep.FirstBad.Stream)
				return
			}
			require.ErrorIs(t, err, eventstore.ErrDamaged)
			assert.False(t, rep.Intact)
			assert.Contains(t, err.Error(), "stream p-1")
			t.Log(err)
		})
	}
}

// Events cut from the end of a stream are seen by a Store that had indexed them ($all no longer
// holds them); a Store opened afterwards cannot tell them from never written, which is what a kept
// tree head is for.
func TestCutTailSeenByTheStoreThatHadIt(t *testing.T) {
	srv := kurrenttest.Start(t)
	s := open(t, srv.URL(), kurrentdb.Options{})
	for _, stream := range []string{"p-1", "p-1", "p-2"} {
		_, err := s.Append(bg, stream, eventstore.Any, storetest.Event("T", `{}`))
		require.NoError(t, err)
	}
	require.NoError(t, srv.DropEvent("p-1", 1))
	assert.ErrorIs(t, streamErr(s, "p-1", eventstore.Forward), eventstore.ErrDamaged)
	assert.ErrorIs(t, streamErr(s, "p-1", eventstore.Backward), eventstore.ErrDamaged)
	_, err := audit.Verify(bg, s, nil)
	assert.ErrorIs(t, err, eventstore.ErrDamaged)
	assert.Contains(t, err.Error(), "seq 2")
}

// An Any append that loses the race every time gives up after eventstore.AnyRetries retries with
// its own error (not a conflict), waiting between tries; a context ends the waiting sooner.
func TestAnyAppendGivesUpWhenContended(t *testing.T) {
	srv := kurrenttest.Start(t)
	other := open(t, srv.URL(), kurrentdb.Options{})
	opts := kurrentdb.Options{}
	interlopers := 0
	kurrentdb.SetBeforeAppend(&opts, func(stream string) {
		// Another ledger server appends first, every time.
		interlopers++
		_, err := other.Append(bg, stream, eventstore.Any, storetest.Event("T", `{"other":true}`))
		assert.NoError(t, err)
	})
	s := open(t, srv.URL(), opts)
	_, err := s.Append(bg, "hot", eventstore.Any, storetest.Event("T", `{}`))
	var ce *eventstore.ContendedError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, eventstore.ErrContended)
	assert.NotErrorIs(t, err, eventstore.ErrConflict)
	assert.Equal(t, eventstore.AnyRetries+1, ce.Attempts)
	assert.Equal(t, eventstore.AnyRetries+1, interlopers)
	assert.Equal(t, "append to hot: gave up after 17 attempts, each beaten by another writer to the stream; nothing was written, try again", err.Error())
	got := collect(t, other.ReadStream(bg, "hot", eventstore.Start, eventstore.Forward, 0))
	assert.Len(t, got, eventstore.AnyRetries+1, "nothing of the loser's was written")

	ctx, cancel := context.WithTimeout(bg, 5*time.Millisecond)
	defer cancel()
	_, err = s.Append(ctx, "hot", eventstore.Any, storetest.Event("T", `{}`))
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the context bounds the retries")
}

// Namespaces are prefix-free, so each takes in exactly its own streams: one that is a prefix of
// another ("a-" of "a-b-") is refused when the Store opens.
func TestNamespacesArePrefixFree(t *testing.T) {
	srv := kurrenttest.Start(t)
	for _, ns := range []string{"a-b-", "a", "-", "$a-", "a b-", "a-b"} {
		_, err := kurrentdb.Open(bg, srv.URL(), kurrentdb.Options{Namespace: ns})
		assert.ErrorIs(t, err, kurrentdb.ErrBadNamespace, "%q", ns)
	}
	a := open(t, srv.URL(), kurrentdb.Options{Namespace: "a-"})
	ab := open(t, srv.URL(), kurrentdb.Options{Namespace: "ab-"})
	whole := open(t, srv.URL(), kurrentdb.Options{})
	for i := range 2 {
		_, err := a.Append(bg, "b-s", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"a":%d}`, i)))
		require.NoError(t, err)
		_, err = ab.Append(bg, "s", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"ab":%d}`, i)))
		require.NoError(t, err)
	}
	for _, tc := range []struct {
		s      *kurrentdb.Store
		stream string
		want   []string
	}{
		{a, "b-s", []string{`{"a":0}`, `{"a":1}`}},
		{ab, "s", []string{`{"ab":0}`, `{"ab":1}`}},
	} {
		all := collect(t, tc.s.ReadAll(bg, 0, eventstore.Forward, 0))
		var got []string
		for _, e := range all {
			assert.Equal(t, tc.stream, e.Stream)
			got = append(got, string(e.Data))
		}
		assert.Equal(t, tc.want, got)
	}
	// Without a namespace a Store owns the whole database.
	require.Eventually(t, func() bool { h, _ := whole.Head(bg); return h.Seq == 4 }, 10*time.Second, time.Millisecond)
}
