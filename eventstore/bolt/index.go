package bolt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
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

// The revs bucket maps stream ‖ 0x00 ‖ first revision (8 bytes, big-endian) to a chunk: the seqs (8
// bytes each, big-endian) of that revision and the ones after it. A flush writes one chunk per stream
// it holds entries for, so it puts a few hundred keys rather than thousands. A chunk of one seq is the
// layout of stores written before chunks, so those read unchanged.

func revPrefix(stream string) []byte { return append([]byte(stream), 0) }

// chunkAt reads the chunk at a cursor position: its first revision and seqs, or ok false when the key
// is not one of stream's. Stream names are printable ASCII, so no name is another's prefix ‖ 0x00.
func chunkAt(prefix, k, v []byte) (first uint64, seqs []byte, ok bool, err error) {
	if k == nil || len(k) != len(prefix)+8 || !bytes.HasPrefix(k, prefix) {
		return 0, nil, false, nil
	}
	if len(v) == 0 || len(v)%8 != 0 {
		return 0, nil, false, fmt.Errorf("%w: index chunk %q is %d bytes", eventstore.ErrCorrupt, k, len(v))
	}
	return binary.BigEndian.Uint64(k[len(prefix):]), v, true, nil
}

// lastIndexed returns the last revision of stream in the revs bucket and its seq, or ok false.
func lastIndexed(tx *bbolt.Tx, stream string) (rev, seq uint64, ok bool, err error) {
	prefix := revPrefix(stream)
	c := tx.Bucket(bucketRevs).Cursor()
	k, v := c.Seek(revKey(stream, ^uint64(0)))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	first, seqs, ok, err := chunkAt(prefix, k, v)
	if !ok || err != nil {
		return 0, 0, false, err
	}
	n := uint64(len(seqs) / 8)
	return first + n - 1, binary.BigEndian.Uint64(seqs[len(seqs)-8:]), true, nil
}

// revSeq is one revs entry: the seq the index names for a stream's revision.
type revSeq struct{ rev, seq uint64 }

// indexedSeqs appends to dst the entries of stream's revisions in [lo, hi) found in the revs bucket,
// and returns the revision after the last one found (lo when none).
func indexedSeqs(tx *bbolt.Tx, stream string, lo, hi uint64, dst []revSeq) ([]revSeq, uint64, error) {
	prefix, start := revPrefix(stream), revKey(stream, lo)
	c := tx.Bucket(bucketRevs).Cursor()
	k, v := c.Seek(start)
	if !bytes.Equal(k, start) {
		// The chunk holding lo may start before it.
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		if _, _, ok, _ := chunkAt(prefix, k, v); !ok {
			k, v = c.Seek(start)
		}
	}
	next := lo
	for ; ; k, v = c.Next() {
		first, seqs, ok, err := chunkAt(prefix, k, v)
		if err != nil {
			return nil, 0, err
		}
		if !ok || first >= hi {
			break
		}
		for i := 0; i < len(seqs); i += 8 {
			rev := first + uint64(i/8)
			if rev < lo {
				continue
			}
			if rev >= hi {
				break
			}
			dst = append(dst, revSeq{rev: rev, seq: binary.BigEndian.Uint64(seqs[i:])})
			next = rev + 1
		}
	}
	return dst, next, nil
}

// flushTail writes the tail and extra entries to the buckets and records how far the index reaches.
// Keys go in order: a B+tree node takes a key in the middle by moving every key after it, so random
// order (map order, random ids) would make a flush quadratic in the size of the nodes it touches,
// while in order (ids are UUIDv7, newest last) most keys land at the end of a node.
func flushTail(tx *bbolt.Tx, t *tail, extra []indexEntry, lastSeq uint64) error {
	type chunk struct {
		first uint64
		seqs  []byte
	}
	chunks := make(map[string]*chunk, len(t.streams))
	for stream, ts := range t.streams {
		c := &chunk{first: ts.first, seqs: make([]byte, 0, 8*len(ts.seqs))}
		for _, seq := range ts.seqs {
			c.seqs = binary.BigEndian.AppendUint64(c.seqs, seq)
		}
		chunks[stream] = c
	}
	for _, e := range extra {
		c := chunks[e.stream]
		if c == nil {
			c = &chunk{first: e.rev}
			chunks[e.stream] = c
		}
		c.seqs = binary.BigEndian.AppendUint64(c.seqs, e.seq)
	}
	// Both indexes only grow at the end of each stream's run of keys (ids are UUIDv7): fill pages
	// completely rather than splitting them half full.
	revs := tx.Bucket(bucketRevs)
	revs.FillPercent = 1.0
	for _, stream := range slices.Sorted(maps.Keys(chunks)) {
		c := chunks[stream]
		if err := revs.Put(revKey(stream, c.first), c.seqs); err != nil {
			return err
		}
	}
	type idSeq struct {
		id  uuid.UUID
		seq uint64
	}
	byID := make([]idSeq, 0, len(t.ids)+len(extra))
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

// rebuildTail reads the events after meta "indexed" (0 when absent) into the tail, on Open. The
// events must run on from "indexed" without a gap, each decoding and saying it is its seq.
func (s *Store) rebuildTail(tx *bbolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keyIndexed); v != nil && len(v) != 8 {
		return damaged(s.path, "the meta record", "the indexed seq is %d bytes, want 8", len(v))
	}
	indexed := getU64(meta.Get(keyIndexed))
	if head := s.head.Load().Seq; indexed > head {
		return damaged(s.path, "the meta record", "the indexes are said to reach seq %d, past the log's end (seq %d)", indexed, head)
	}
	c := tx.Bucket(bucketEvents).Cursor()
	var entries []indexEntry
	var sh shared
	next := indexed + 1
	for k, v := c.Seek(u64(next)); k != nil; k, v = c.Next() {
		if getU64(k) != next {
			return damaged(s.path, fmt.Sprintf("event seq %d", next), "the event is missing")
		}
		e, err := s.decodeAt(next, v, &sh)
		if err != nil {
			return err
		}
		entries = append(entries, indexEntry{stream: e.Stream, rev: e.Revision, seq: e.Seq, id: e.ID, hash: e.Hash})
		next++
	}
	s.tail.add(entries)
	return nil
}
