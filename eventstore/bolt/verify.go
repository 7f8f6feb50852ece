package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

var _ eventstore.IndexChecker = (*Store)(nil)

// StartIndexCheck implements eventstore.IndexChecker. On a goroutine of its own, in one read
// transaction, it reads the meta record and both indexes into per-seq tables for events 1..n; finish
// then holds them against the verified events:
//   - the meta record holds only "seq", "recorded_at" and "indexed", 8 bytes each; "seq" is at least n,
//     and when it is n, "recorded_at" is event n's recorded_at (the running maximum, since recorded_at
//     never goes back); "indexed" is at most "seq";
//   - every ids entry (id → seq) names the event with that id at that seq, and together they cover
//     exactly the events up to "indexed";
//   - every revs chunk (stream ‖ 0 ‖ first revision → seqs) names, for each of its seqs, the event of
//     that stream at that revision; each stream's chunks run on from revision 0; together they cover
//     exactly the events up to "indexed".
//
// Entries for events after n are not checked (a server appends while it verifies). The tables take
// about 40 bytes per event.
func (s *Store) StartIndexCheck(ctx context.Context, n uint64) func(event func(seq uint64) eventstore.IndexedEvent) error {
	scan := &indexScan{s: s, n: n}
	done := make(chan error, 1)
	go func() { done <- s.view(func(tx *bbolt.Tx) error { return scan.read(ctx, tx) }) }()
	return func(event func(seq uint64) eventstore.IndexedEvent) error {
		if err := <-done; err != nil {
			return err
		}
		return scan.check(event)
	}
}

// indexScan is what StartIndexCheck read, by seq.
type indexScan struct {
	s                  *Store
	n                  uint64
	last, rec, indexed uint64
	limit              uint64 // min(indexed, n): entries for seqs 1..limit must be there
	ids                []uuid.UUID
	streams            []string // the revs index's stream and revision of each seq ("" when none)
	revs               []uint64
	idN, revN          uint64 // entries for seqs 1..limit
}

func (x *indexScan) read(ctx context.Context, tx *bbolt.Tx) error {
	s := x.s
	err := tx.Bucket(bucketMeta).ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			return damaged(s.path, "the meta record", "%q is %d bytes, want 8", k, len(v))
		}
		switch string(k) {
		case string(keySeq):
			x.last = getU64(v)
		case string(keyRecordedAt):
			x.rec = getU64(v)
		case string(keyIndexed):
			x.indexed = getU64(v)
		default:
			return damaged(s.path, "the meta record", "it holds a key %q this store never writes", k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if x.indexed > x.last {
		return damaged(s.path, "the meta record", "the indexes are said to reach seq %d, past the log's end (seq %d)", x.indexed, x.last)
	}
	x.limit = min(x.indexed, x.n)
	x.ids, x.streams, x.revs = make([]uuid.UUID, x.limit), make([]string, x.limit), make([]uint64, x.limit)
	err = tx.Bucket(bucketIDs).ForEach(func(k, v []byte) error {
		if len(k) != 16 || len(v) != 8 {
			return damaged(s.path, "the ids index", "an entry with a key of %d and a value of %d bytes", len(k), len(v))
		}
		seq := getU64(v)
		if seq == 0 || seq > x.indexed {
			return damaged(s.path, "the ids index", "id %s names seq %d, outside the indexed events 1..%d", uuid.UUID(k), seq, x.indexed)
		}
		if seq <= x.limit {
			x.ids[seq-1] = uuid.UUID(k)
			x.idN++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var stream string
	var next uint64 // the revision the stream's next chunk must start at
	return tx.Bucket(bucketRevs).ForEach(func(k, v []byte) error {
		if len(k) < 10 || k[len(k)-9] != 0 || len(v) == 0 || len(v)%8 != 0 {
			return damaged(s.path, "the revs index", "an entry with a key of %d and a value of %d bytes", len(k), len(v))
		}
		first := binary.BigEndian.Uint64(k[len(k)-8:])
		if name := k[:len(k)-9]; string(name) != stream {
			stream, next = string(name), 0
		}
		if first != next {
			return damaged(s.path, "the revs index", "stream %q jumps from revision %d to %d", stream, next, first)
		}
		for i := 0; i < len(v); i += 8 {
			seq := binary.BigEndian.Uint64(v[i:])
			if seq == 0 || seq > x.indexed {
				return damaged(s.path, "the revs index", "%s revision %d names seq %d, outside the indexed events 1..%d", stream, first+uint64(i/8), seq, x.indexed)
			}
			if seq <= x.limit {
				x.streams[seq-1], x.revs[seq-1] = stream, first+uint64(i/8)
				x.revN++
			}
		}
		next = first + uint64(len(v)/8)
		return nil
	})
}

func (x *indexScan) check(event func(uint64) eventstore.IndexedEvent) error {
	s := x.s
	if x.last < x.n {
		return damaged(s.path, "the meta record", "it says the log ends at seq %d, but events up to seq %d were read", x.last, x.n)
	}
	if x.last == x.n && x.n > 0 {
		if e := event(x.n); e.RecordedAt.UnixNano() != int64(x.rec) {
			return &eventstore.ChainError{Seq: x.n, ID: e.ID, Stream: e.Stream, Field: "meta",
				Want: "recorded_at " + e.RecordedAt.Format(time.RFC3339Nano), Got: time.Unix(0, int64(x.rec)).UTC().Format(time.RFC3339Nano)}
		}
	}
	for seq := uint64(1); seq <= x.limit; seq++ {
		e := event(seq)
		if id := x.ids[seq-1]; id != e.ID {
			got := id.String()
			if id == (uuid.UUID{}) {
				got = "no entry"
			}
			return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "ids index",
				Want: "the event's id " + e.ID.String(), Got: got}
		}
		if stream, rev := x.streams[seq-1], x.revs[seq-1]; stream != e.Stream || rev != e.Revision {
			got := fmt.Sprintf("%s revision %d", stream, rev)
			if stream == "" {
				got = "no entry"
			}
			return &eventstore.ChainError{Seq: seq, ID: e.ID, Stream: e.Stream, Field: "revs index",
				Want: fmt.Sprintf("%s revision %d", e.Stream, e.Revision), Got: got}
		}
	}
	// Every seq has its entries; more entries than seqs means some name a seq another names too.
	if x.idN != x.limit {
		return damaged(s.path, "the ids index", "it holds %d entries for the %d events up to seq %d", x.idN, x.limit, x.limit)
	}
	if x.revN != x.limit {
		return damaged(s.path, "the revs index", "it holds %d entries for the %d events up to seq %d", x.revN, x.limit, x.limit)
	}
	return nil
}
