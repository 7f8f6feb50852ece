package bolt

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

// flushAt is how many index entries the tail holds before the commit loop writes them into the
// revs and ids buckets, in the same transaction as the batch that fills it. Writing an index page
// once per thousands of events, instead of once per event, is what lets one commit carry many
// appends cheaply: those buckets' keys (stream ‖ revision, random ids) land on pages all over the file.
const defaultFlushAt = 8192

var keyIndexed = []byte("indexed") // meta: the last seq whose entries are in revs and ids

// tail is the in-memory part of the secondary indexes: the entries of events after meta "indexed".
// It is rebuilt from the events bucket on Open, so it needs no durability of its own. Only the
// commit loop changes it; readers take the read lock.
type tail struct {
	mu      sync.RWMutex
	streams map[string]*tailStream
	ids     map[uuid.UUID]uint64
	n       int
	heads   map[string]streamHead // every stream seen since Open (a cache; the commit loop's own)
}

type tailStream struct {
	first uint64   // revision of seqs[0]
	seqs  []uint64 // seq of each revision from first on
}

type streamHead struct {
	rev  uint64
	hash eventstore.Hash
}

// indexEntry is one event's place in the secondary indexes.
type indexEntry struct {
	stream string
	rev    uint64
	seq    uint64
	id     uuid.UUID
	hash   eventstore.Hash
}

func newTail() *tail {
	return &tail{streams: map[string]*tailStream{}, ids: map[uuid.UUID]uint64{}, heads: map[string]streamHead{}}
}

// add puts committed entries into the tail. Call with mu held.
func (t *tail) add(entries []indexEntry) {
	for _, e := range entries {
		ts := t.streams[e.stream]
		if ts == nil {
			ts = &tailStream{first: e.rev}
			t.streams[e.stream] = ts
		}
		ts.seqs = append(ts.seqs, e.seq)
		t.ids[e.id] = e.seq
		t.heads[e.stream] = streamHead{rev: e.rev, hash: e.hash}
		t.n++
	}
}

// clearFlushed empties the tail after its entries were committed to the buckets. Call with mu held.
func (t *tail) clearFlushed() {
	clear(t.streams)
	clear(t.ids)
	t.n = 0
}

// flushTail writes the tail and extra entries to the buckets and records how far the index reaches.
// Entries go in key order: a B+tree node takes a key in the middle by moving every key after it, so
// random order (map order, random ids) made a flush quadratic in the size of the nodes it touched,
// while in order (ids are UUIDv7, newest last) most keys land at the end of a node.
func flushTail(tx *bbolt.Tx, t *tail, extra []indexEntry, lastSeq uint64) error {
	entries := make([]indexEntry, 0, t.n+len(extra))
	for stream, ts := range t.streams {
		for i, seq := range ts.seqs {
			entries = append(entries, indexEntry{stream: stream, rev: ts.first + uint64(i), seq: seq})
		}
	}
	entries = append(entries, extra...)
	slices.SortFunc(entries, func(a, b indexEntry) int {
		if c := strings.Compare(a.stream, b.stream); c != 0 {
			return c
		}
		return cmp.Compare(a.rev, b.rev)
	})
	// Both indexes only grow at the end of each stream's run of keys (ids are UUIDv7): fill pages
	// completely rather than splitting them half full.
	revs := tx.Bucket(bucketRevs)
	revs.FillPercent = 1.0
	for _, e := range entries {
		if err := revs.Put(revKey(e.stream, e.rev), u64(e.seq)); err != nil {
			return err
		}
	}
	type idSeq struct {
		id  uuid.UUID
		seq uint64
	}
	byID := make([]idSeq, 0, len(entries))
	for id, seq := range t.ids {
		byID = append(byID, idSeq{id, seq})
	}
	for _, e := range extra {
		byID = append(byID, idSeq{e.id, e.seq})
	}
	slices.SortFunc(byID, func(a, b idSeq) int { return bytes.Compare(a.id[:], b.id[:]) })
	ids := tx.Bucket(bucketIDs)
	ids.FillPercent = 1.0
	for _, e := range byID {
		if err := ids.Put(e.id[:], u64(e.seq)); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketMeta).Put(keyIndexed, u64(lastSeq))
}

// rebuildTail reads the events after meta "indexed" (0 when absent) into the tail, on Open.
func rebuildTail(tx *bbolt.Tx, t *tail) error {
	indexed := getU64(tx.Bucket(bucketMeta).Get(keyIndexed))
	c := tx.Bucket(bucketEvents).Cursor()
	var entries []indexEntry
	for k, v := c.Seek(u64(indexed + 1)); k != nil; k, v = c.Next() {
		e, err := decodeEvent(v)
		if err != nil {
			return fmt.Errorf("event seq %d: %w", getU64(k), err)
		}
		entries = append(entries, indexEntry{stream: e.Stream, rev: e.Revision, seq: e.Seq, id: e.ID, hash: e.Hash})
	}
	t.add(entries)
	return nil
}
