package kurrentdb

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// entry is what the index keeps of one ledger event, at index seq-1.
type entry struct {
	pos    esdb.Position
	stream string // the ledger's stream name (without the namespace), shared with index.streams
	rev    uint64
}

// index maps the ledger events of $all, in $all order, to their seq. It is fed by one goroutine (the
// follow subscription) and read by many; it is safe for concurrent use.
type index struct {
	mu      sync.Mutex
	entries []entry               // seq-1 → entry
	ids     map[uuid.UUID]uint64  // id → seq
	streams map[string]streamHead // stream → its name and last event folded
	damage  map[string]*damage    // stream → why KurrentDB cannot be trusted to read it whole
	last    esdb.Position         // position of the last ledger event folded
	head    eventstore.Head
	maxRec  int64 // the latest recorded_at folded (Unix ns)
	caught  bool  // the follow subscription has caught up once
	err     error // why following stopped for good (set only by Close)
	changed chan struct{}
}

func newIndex() *index {
	return &index{ids: map[uuid.UUID]uint64{}, streams: map[string]streamHead{}, damage: map[string]*damage{},
		changed: make(chan struct{})}
}

// streamHead is the last ledger event of a stream folded so far.
type streamHead struct {
	name string
	rev  uint64
	hash eventstore.Hash
	rec  time.Time
}

// damage is what the index saw in $all that makes a stream untrustworthy: its latest metadata
// (a soft delete, $tb, $maxCount or $maxAge: KurrentDB hides events from reads and scavenges them),
// and, for good, a tombstone or revisions that do not follow each other.
type damage struct {
	meta  *eventstore.DamageError // from the latest $metadata event; nil when it hides nothing
	other *eventstore.DamageError // the first tombstone or revision gap; never cleared
}

func (d *damage) err() *eventstore.DamageError {
	if d == nil {
		return nil
	}
	if d.other != nil {
		return d.other
	}
	return d.meta
}

// fold adds one ledger event, which must come after every event folded so far in $all. It returns
// false (and folds nothing) for an event at or before the last folded position: a subscription
// that resumed from a position may deliver it again.
func (x *index) fold(pos esdb.Position, e eventstore.Event) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.entries) > 0 && !after(pos, x.last) {
		return false
	}
	sh, ok := x.streams[e.Stream]
	if !ok {
		// One copy of each name, shared by every entry of the stream.
		sh.name = string([]byte(e.Stream))
	}
	if want := sh.rev + 1; (ok && e.Revision != want) || (!ok && e.Revision != 0) {
		if !ok {
			want = 0
		}
		x.markLocked(sh.name, &eventstore.DamageError{
			Where:  fmt.Sprintf("stream %s at revision %d", sh.name, e.Revision),
			Reason: fmt.Sprintf("$all holds it where revision %d should come: revisions are missing or out of order", want),
		})
	}
	sh.rev, sh.hash, sh.rec = e.Revision, e.Hash, e.RecordedAt
	x.streams[sh.name] = sh
	seq := uint64(len(x.entries)) + 1
	x.entries = append(x.entries, entry{pos: pos, stream: sh.name, rev: e.Revision})
	x.ids[e.ID] = seq
	x.last = pos
	x.head = eventstore.Head{Seq: seq, RecordedAt: e.RecordedAt, Hash: e.Hash}
	if n := e.RecordedAt.UnixNano(); n > x.maxRec {
		x.maxRec = n
	}
	x.signal()
	return true
}

// markLocked records lasting damage to stream (the first one is kept). The caller holds x.mu.
func (x *index) markLocked(stream string, d *eventstore.DamageError) {
	dm := x.damage[stream]
	if dm == nil {
		dm = &damage{}
		x.damage[stream] = dm
	}
	if dm.other == nil {
		dm.other = d
	}
}

// markTombstoned records that stream was tombstoned (hard-deleted).
func (x *index) markTombstoned(stream string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.markLocked(stream, &eventstore.DamageError{Where: "stream " + stream,
		Reason: "it was tombstoned (hard-deleted) in KurrentDB, which the ledger never does: its events cannot be read"})
}

// setMetadata records the damage stream's latest metadata implies (nil: none).
func (x *index) setMetadata(stream string, d *eventstore.DamageError) {
	x.mu.Lock()
	defer x.mu.Unlock()
	dm := x.damage[stream]
	if dm == nil {
		if d == nil {
			return
		}
		dm = &damage{}
		x.damage[stream] = dm
	}
	dm.meta = d
}

// damaged returns the damage known for stream, or nil.
func (x *index) damaged(stream string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if d := x.damage[stream].err(); d != nil {
		return d
	}
	return nil
}

// damagedStreams returns the damage known now for every damaged stream (nil when none is).
func (x *index) damagedStreams() map[string]error {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out map[string]error
	for s, d := range x.damage {
		if e := d.err(); e != nil {
			if out == nil {
				out = map[string]error{}
			}
			out[s] = e
		}
	}
	return out
}

// caughtUp records that the follow subscription reached the end of $all.
func (x *index) caughtUp() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.caught {
		x.caught = true
		x.signal()
	}
}

// stop records why the index will advance no more and wakes every waiter.
func (x *index) stop(err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err == nil {
		x.err = err
		x.signal()
	}
}

func (x *index) signal() {
	close(x.changed)
	x.changed = make(chan struct{})
}

func after(a, b esdb.Position) bool {
	return a.Commit > b.Commit || (a.Commit == b.Commit && a.Prepare > b.Prepare)
}

// wait blocks until cond (called with the lock held) is true, ctx ends, or the index stops.
func (x *index) wait(ctx context.Context, cond func() bool) error {
	for {
		x.mu.Lock()
		if cond() {
			x.mu.Unlock()
			return nil
		}
		if x.err != nil {
			err := x.err
			x.mu.Unlock()
			return err
		}
		ch := x.changed
		x.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitPosition blocks until the index has folded every ledger event up to and including pos.
func (x *index) waitPosition(ctx context.Context, pos esdb.Position) error {
	return x.wait(ctx, func() bool { return len(x.entries) > 0 && !after(pos, x.last) })
}

// waitID blocks until the index holds id.
func (x *index) waitID(ctx context.Context, id uuid.UUID) error {
	return x.wait(ctx, func() bool { _, ok := x.ids[id]; return ok })
}

// waitSeq blocks until the index holds seq.
func (x *index) waitSeq(ctx context.Context, seq uint64) error {
	return x.wait(ctx, func() bool { return uint64(len(x.entries)) >= seq })
}

// seqAt returns the seq of the ledger event at pos, and false when no ledger event folded so far is
// there.
func (x *index) seqAt(pos esdb.Position) (uint64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i := sort.Search(len(x.entries), func(i int) bool { return !after(pos, x.entries[i].pos) })
	if i < len(x.entries) && x.entries[i].pos == pos {
		return uint64(i) + 1, true
	}
	return 0, false
}

// at returns the entry of seq, which must be folded.
func (x *index) at(seq uint64) entry {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.entries[seq-1]
}

// lookup returns the entry and seq of an event id.
func (x *index) lookup(id uuid.UUID) (entry, uint64, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	seq, ok := x.ids[id]
	if !ok {
		return entry{}, 0, false
	}
	return x.entries[seq-1], seq, true
}

// streamHead returns the last event of stream folded so far.
func (x *index) streamHead(stream string) (streamHead, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sh, ok := x.streams[stream]
	return sh, ok
}

// snapshot returns the head and the latest recorded_at folded.
func (x *index) snapshot() (eventstore.Head, int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.head, x.maxRec
}

// lastPosition returns the position of the last ledger event folded, and false when none is.
func (x *index) lastPosition() (esdb.Position, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.last, len(x.entries) > 0
}
