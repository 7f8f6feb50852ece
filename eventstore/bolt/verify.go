package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

var _ eventstore.IndexChecker = (*Store)(nil)

// CheckIndexes implements eventstore.IndexChecker. In one read transaction it checks:
//   - the meta record holds only "seq", "recorded_at" and "indexed", 8 bytes each; "seq" is at least n,
//     and when it is n, "recorded_at" is event n's recorded_at (the running maximum, since recorded_at
//     never goes back); "indexed" is at most "seq";
//   - every ids entry (id → seq) names the event with that id at that seq, and together they cover
//     exactly the events up to "indexed";
//   - every revs chunk (stream ‖ 0 ‖ first revision → seqs) names, for each of its seqs, the event of
//     that stream at that revision; each stream's chunks run on from revision 0; together they cover
//     exactly the events up to "indexed".
//
// Entries for events after n are not checked (a server appends while it verifies).
func (s *Store) CheckIndexes(ctx context.Context, n uint64, event func(seq uint64) eventstore.IndexedEvent) error {
	return s.view(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var last, rec, indexed uint64
		err := meta.ForEach(func(k, v []byte) error {
			if len(v) != 8 {
				return damaged(s.path, "the meta record", "%q is %d bytes, want 8", k, len(v))
			}
			switch string(k) {
			case string(keySeq):
				last = getU64(v)
			case string(keyRecordedAt):
				rec = getU64(v)
			case string(keyIndexed):
				indexed = getU64(v)
			default:
				return damaged(s.path, "the meta record", "it holds a key %q this store never writes", k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if last < n {
			return damaged(s.path, "the meta record", "it says the log ends at seq %d, but events up to seq %d were read", last, n)
		}
		if last == n && n > 0 {
			if e := event(n); e.RecordedAt.UnixNano() != int64(rec) {
				return &eventstore.ChainError{Seq: n, ID: e.ID, Stream: e.Stream, Field: "meta",
					Want: "recorded_at " + e.RecordedAt.Format(time.RFC3339Nano), Got: time.Unix(0, int64(rec)).UTC().Format(time.RFC3339Nano)}
			}
		}
		if indexed > last {
			return damaged(s.path, "the meta record", "the indexes are said to reach seq %d, past the log's end (seq %d)", indexed, last)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		limit := min(indexed, n) // the entries with seq up to here must be there and are checked
		if err := s.checkIDs(tx, n, indexed, limit, event); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return s.checkRevs(tx, n, indexed, limit, event)
	})
}

func (s *Store) checkIDs(tx *bbolt.Tx, n, indexed, limit uint64, event func(uint64) eventstore.IndexedEvent) error {
	ids := tx.Bucket(bucketIDs)
	var count uint64
	err := ids.ForEach(func(k, v []byte) error {
		if len(k) != 16 || len(v) != 8 {
			return damaged(s.path, "the ids index", "an entry with a key of %d and a value of %d bytes", len(k), len(v))
		}
		seq := getU64(v)
		if seq == 0 || seq > indexed {
			return damaged(s.path, "the ids index", "id %s names seq %d, outside the indexed events 1..%d", uuid.UUID(k), seq, indexed)
		}
		if seq > n {
			return nil
		}
		if e := event(seq); !bytes.Equal(e.ID[:], k) {
			return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "ids index",
				Want: "the event's id " + e.ID.String(), Got: uuid.UUID(k).String()}
		}
		count++
		return nil
	})
	if err != nil || count == limit {
		return err
	}
	for seq := uint64(1); seq <= limit; seq++ {
		e := event(seq)
		if v := ids.Get(e.ID[:]); getU64(v) != seq {
			return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "ids index",
				Want: fmt.Sprintf("an entry naming seq %d", seq), Got: "none"}
		}
	}
	return damaged(s.path, "the ids index", "it holds %d entries for the events up to seq %d", count, limit)
}

func (s *Store) checkRevs(tx *bbolt.Tx, n, indexed, limit uint64, event func(uint64) eventstore.IndexedEvent) error {
	revs := tx.Bucket(bucketRevs)
	next := map[string]uint64{} // each stream's next revision
	var count uint64
	err := revs.ForEach(func(k, v []byte) error {
		if len(k) < 10 || k[len(k)-9] != 0 || len(v) == 0 || len(v)%8 != 0 {
			return damaged(s.path, "the revs index", "an entry with a key of %d and a value of %d bytes", len(k), len(v))
		}
		stream, first := string(k[:len(k)-9]), binary.BigEndian.Uint64(k[len(k)-8:])
		for i := 0; i < len(v); i += 8 {
			seq, rev := binary.BigEndian.Uint64(v[i:]), first+uint64(i/8)
			if seq == 0 || seq > indexed {
				return damaged(s.path, "the revs index", "%s revision %d names seq %d, outside the indexed events 1..%d", stream, rev, seq, indexed)
			}
			if seq > n {
				continue
			}
			e := event(seq)
			if e.Stream != stream || e.Revision != rev || (i == 0 && first != next[stream]) {
				return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "revs index",
					Want: fmt.Sprintf("%s revision %d", e.Stream, e.Revision), Got: fmt.Sprintf("%s revision %d", stream, rev)}
			}
			count++
		}
		next[stream] = first + uint64(len(v)/8)
		return nil
	})
	if err != nil || count == limit {
		return err
	}
	for seq := uint64(1); seq <= limit; seq++ {
		if e := event(seq); e.Revision >= next[e.Stream] {
			return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "revs index",
				Want: fmt.Sprintf("an entry for %s revision %d", e.Stream, e.Revision), Got: "none"}
		}
	}
	return damaged(s.path, "the revs index", "it holds %d entries for the events up to seq %d", count, limit)
}
