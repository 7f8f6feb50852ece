package eventstore

import (
	"fmt"

	"github.com/google/uuid"
)

// ChainVerifier checks events fed to it in seq order: seq contiguous from 1, each stream's revisions
// contiguous from 0, each prev_hash naming the stream's previous hash, and each hash recomputed from
// the stored fields. It is not safe for concurrent use.
type ChainVerifier struct {
	seq   uint64
	heads map[string]streamHead
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
	Field  string // "seq", "revision", "prev_hash" or "hash"
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
	v.seq = e.Seq
	v.heads[e.Stream] = streamHead{rev: e.Revision, hash: e.Hash}
	return nil
}

// Count returns how many events have verified.
func (v *ChainVerifier) Count() uint64 { return v.seq }

// Streams returns how many streams have been seen.
func (v *ChainVerifier) Streams() int { return len(v.heads) }
