package storetest

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Check fails t unless s holds the store's invariants, as bbolt's tests check a database after each
// test (db.MustCheck): every event of the global log verifies (eventstore.ChainVerifier: seq dense
// from 1, recorded_at never decreasing, each stream's revisions dense from 0, each prev_hash the
// stream's previous hash, each hash recomputed), ids are unique, Head names the last event, the log
// read backwards is the log forwards reversed, and each stream read on its own is exactly its events
// of the global log, in order. Run calls it after every test of the suite; a backend's own tests may
// call it too. It reports with t.Errorf and reads with a background context.
func Check(t testing.TB, s eventstore.Store) {
	t.Helper()
	ctx := context.Background()
	var (
		v        eventstore.ChainVerifier
		log      []eventstore.Event
		ids      = map[uuid.UUID]uint64{}
		byStream = map[string][]eventstore.Event{}
	)
	for e, err := range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
		if err != nil {
			t.Errorf("invariants: read the log after seq %d: %v", len(log), err)
			return
		}
		if err := v.Add(e); err != nil {
			t.Errorf("invariants: the log does not verify: %v", err)
			return
		}
		if seq, dup := ids[e.ID]; dup {
			t.Errorf("invariants: id %s is at seq %d and %d", e.ID, seq, e.Seq)
		}
		ids[e.ID] = e.Seq
		log = append(log, e)
		byStream[e.Stream] = append(byStream[e.Stream], e)
	}
	h, err := s.Head(ctx)
	if err != nil {
		t.Errorf("invariants: head: %v", err)
		return
	}
	last := eventstore.Event{}
	if len(log) > 0 {
		last = log[len(log)-1]
	}
	if h.Seq != last.Seq || h.Hash != last.Hash || !h.RecordedAt.Equal(last.RecordedAt) {
		t.Errorf("invariants: head is seq %d hash %s recorded_at %s; the log ends at seq %d hash %s recorded_at %s",
			h.Seq, h.Hash, h.RecordedAt, last.Seq, last.Hash, last.RecordedAt)
	}
	var back []eventstore.Event
	for e, err := range s.ReadAll(ctx, 0, eventstore.Backward, 0) {
		if err != nil {
			t.Errorf("invariants: read the log backwards: %v", err)
			return
		}
		back = append(back, e)
	}
	slices.Reverse(back)
	if !sameEvents(back, log) {
		t.Errorf("invariants: the log read backwards (%d events) is not the log read forwards (%d events) reversed", len(back), len(log))
	}
	for _, stream := range slices.Sorted(maps.Keys(byStream)) {
		var got []eventstore.Event
		for e, err := range s.ReadStream(ctx, stream, eventstore.Start, eventstore.Forward, 0) {
			if err != nil {
				t.Errorf("invariants: read stream %s: %v", stream, err)
				return
			}
			got = append(got, e)
		}
		if !sameEvents(got, byStream[stream]) {
			t.Errorf("invariants: stream %s read on its own has seqs %v; the global log has %v", stream, seqs(got), seqs(byStream[stream]))
		}
	}
}

// sameEvents reports whether a and b are the same events (id, stream, revision, seq and hash).
func sameEvents(a, b []eventstore.Event) bool {
	return slices.EqualFunc(a, b, func(x, y eventstore.Event) bool {
		return x.ID == y.ID && x.Stream == y.Stream && x.Revision == y.Revision && x.Seq == y.Seq && x.Hash == y.Hash
	})
}
