package bolt

import (
	"fmt"
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

// writeIndex writes entries into the revs and ids buckets.
func writeIndex(tx *bbolt.Tx, entries []indexEntry) error {
	revs, ids := tx.Bucket(bucketRevs), tx.Bucket(bucketIDs)
	for _, e := range entries {
		if err := revs.Put(revKey(e.stream, e.rev), u64(e.seq)); err != nil {
			return err
		}
		if err := ids.Put(e.id[:], u64(e.seq)); err != nil {
			return err
		}
	}
	return nil
}

// flushTail writes the tail and extra entries to the buckets and records how far the index reaches.
func flushTail(tx *bbolt.Tx, t *tail, extra []indexEntry, lastSeq uint64) error {
	revs, ids := tx.Bucket(bucketRevs), tx.Bucket(bucketIDs)
	for stream, ts := range t.streams {
		for i, seq := range ts.seqs {
			if err := revs.Put(revKey(stream, ts.first+uint64(i)), u64(seq)); err != nil {
				return err
			}
		}
	}
	for id, seq := range t.ids {
		if err := ids.Put(id[:], u64(seq)); err != nil {
			return err
		}
	}
	if err := writeIndex(tx, extra); err != nil {
		return err
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
