package eventstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ChainVerifier checks events fed to it in seq order: seq contiguous from 1, recorded_at never before
// the previous event's, each stream's revisions contiguous from 0, each prev_hash naming the stream's
// previous hash, and each hash recomputed from the stored fields. It is not safe for concurrent use.
type ChainVerifier struct {
	seq     uint64
	lastRec time.Time
	heads   map[string]streamHead
}

type streamHead struct {
	rev  uint64
	hash Hash
}

// ChainError names the first event that does not verify.
type ChainError struct {
	Seq    uint64
	ID     uuid.UUID
	Stream string
	Field  string // "seq", "recorded_at", "revision", "prev_hash", "hash", "data" or "sources"; an IndexChecker's: "ids index", "revs index", "meta"
	Want   string
	Got    string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("event seq %d (id %s, stream %s): %s is %s, want %s", e.Seq, e.ID, e.Stream, e.Field, e.Got, e.Want)
}

// Is makes a *ChainError match ErrCorrupt.
func (e *ChainError) Is(target error) bool { return target == ErrCorrupt }

// Add checks the next event. It returns a *ChainError for the first mismatch.
func (v *ChainVerifier) Add(e Event) error {
	if v.heads == nil {
		v.heads = map[string]streamHead{}
	}
	fail := func(field, want, got string) error {
		return &ChainError{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Field: field, Want: want, Got: got}
	}
	if e.Seq != v.seq+1 {
		return fail("seq", fmt.Sprint(v.seq+1), fmt.Sprint(e.Seq))
	}
	if e.RecordedAt.Before(v.lastRec) {
		return fail("recorded_at", "not before "+v.lastRec.Format(time.RFC3339Nano)+" (seq "+fmt.Sprint(v.seq)+")", e.RecordedAt.Format(time.RFC3339Nano))
	}
	h, seen := v.heads[e.Stream]
	wantRev, wantPrev := uint64(0), ZeroHash
	if seen {
		wantRev, wantPrev = h.rev+1, h.hash
	}
	if e.Revision != wantRev {
		return fail("revision", fmt.Sprint(wantRev), fmt.Sprint(e.Revision))
	}
	if e.PrevHash != wantPrev {
		return fail("prev_hash", wantPrev.String(), e.PrevHash.String())
	}
	if got := ComputeHash(e, e.PrevHash); got != e.Hash {
		return fail("hash", got.String(), e.Hash.String())
	}
	if field, detail := storedProblem(e); field != "" {
		return &ChainError{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Field: field, Got: detail,
			Want: "JSON the gate admits, in its canonical (RFC 8785) form"}
	}
	v.seq, v.lastRec = e.Seq, e.RecordedAt
	v.heads[e.Stream] = streamHead{rev: e.Revision, hash: e.Hash}
	return nil
}

// CheckStored checks that a stored event's data and sources are what Prepare stores: they pass Gate
// and are already in its canonical form. An event that fails (written by another client into
// KurrentDB, edited in an export file) is damage: the error names the field and the JSON pointer, and
// matches ErrCorrupt.
func CheckStored(e Event) error {
	if field, detail := storedProblem(e); field != "" {
		return fmt.Errorf("%w: event %s: %s is %s", ErrCorrupt, e.ID, field, detail)
	}
	return nil
}

func storedProblem(e Event) (field, detail string) {
	for _, f := range []struct {
		name string
		b    []byte
	}{{"data", e.Data}, {"sources", e.Sources}} {
		if admittedCanonical(f.b) {
			continue // the usual case, checked without building the canonical form
		}
		canon, err := Gate(f.b)
		if err != nil {
			return f.name, "refused by the gate " + err.Error()
		}
		if !bytes.Equal(canon, f.b) {
			return f.name, "not in canonical form"
		}
	}
	return "", ""
}

// Count returns how many events have verified.
func (v *ChainVerifier) Count() uint64 { return v.seq }

// Streams returns how many streams have been seen.
func (v *ChainVerifier) Streams() int { return len(v.heads) }

// IndexChecker is implemented by a Store that keeps indexes or counters of its own beside the global
// log (the bolt store: its revs and ids indexes and meta record), which serve reads but are not
// covered by the hash chains. A verifier about to read and verify the first n events of the log calls
// StartIndexCheck (the store may read its indexes meanwhile), then calls finish once with what it
// read, to hold every entry of those indexes against the events.
type IndexChecker interface {
	// StartIndexCheck begins checking the store's indexes against events 1..n. finish(event), where
	// event(seq) returns what the verifier read for seq in [1, n], returns a *ChainError naming the
	// first event whose entry is wrong or missing (Field "ids index", "revs index" or "meta"), or an
	// error matching ErrCorrupt for other damage. Entries for events after n are not checked. finish
	// must be called (with ctx cancelled, to give up early).
	StartIndexCheck(ctx context.Context, n uint64) (finish func(event func(seq uint64) IndexedEvent) error)
}

// IndexedEvent is what an IndexChecker needs to know of one verified event.
type IndexedEvent struct {
	ID         uuid.UUID
	Stream     string
	Revision   uint64
	RecordedAt time.Time
}
