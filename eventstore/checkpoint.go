package eventstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/fault"
)

// CheckpointStore keeps a ledger's signed checkpoints (C2SP tlog-checkpoint: origin, tree size and
// root, as a C2SP signed note) and the cosignatures witnesses gave them (C2SP tlog-cosignature). It
// is kept beside the log, never in it: no checkpoint or cosignature is ever an event, so nothing here
// changes the log, its seqs, hashes or Merkle tree. The bbolt store keeps them in a bucket of their
// own, KurrentDB in a stream outside the ledger's namespace, memstore in memory.
//
// A store treats notes and signatures as opaque bytes: the caller (package audit) builds, signs and
// checks them; the store checks only the shapes below. Checkpoints are identified by Size: one
// ledger has at most one root per size, and a store refuses a second, different checkpoint of a size
// it holds (a fork, or a change of origin or key) with a *CheckpointConflictError. A checkpoint is
// never updated or deleted; cosignatures are only ever added to it.
//
// Durability: a Put returns only after what it stored is durable (bbolt: fsynced; KurrentDB:
// acknowledged by the server; memstore: for the life of the process). Implementations are safe for
// concurrent use. After the store is closed every method returns ErrClosed.
//
// Errors: ErrCheckpointNotFound (matches ErrNotFound) when there is no such checkpoint;
// *CheckpointConflictError (matches ErrConflict) as above; *InvalidCheckpointError (matches
// ErrInvalidCheckpoint) for a shape broken; ErrDamaged/ErrCorrupt for stored bytes that do not
// decode; ctx.Err() when ctx is done.
type CheckpointStore interface {
	// PutCheckpoint stores a signed checkpoint. If the store holds a checkpoint of the same size
	// with the same root and note, it does nothing and returns nil; with another root or note it
	// returns a *CheckpointConflictError and stores nothing. Cosignatures in cp are ignored: add them
	// with PutCosignature.
	PutCheckpoint(ctx context.Context, cp Checkpoint) error

	// PutCosignature adds a witness's cosignature to the stored checkpoint of size with root. The
	// checkpoint must be stored (ErrCheckpointNotFound otherwise) with that root (a
	// *CheckpointConflictError otherwise). A cosignature by a signer (Cosignature.Signer) that
	// already cosigned that checkpoint is not stored again, and the first one is kept: a
	// checkpoint's bytes with its cosignatures only ever grow. It returns whether c was stored.
	PutCosignature(ctx context.Context, size uint64, root Hash, c Cosignature) (added bool, err error)

	// LatestCheckpoint returns the stored checkpoint of the largest size, with its cosignatures, or
	// ErrCheckpointNotFound when none is stored.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)

	// CheckpointAt returns the stored checkpoint of exactly size, with its cosignatures, or
	// ErrCheckpointNotFound.
	CheckpointAt(ctx context.Context, size uint64) (Checkpoint, error)

	// Checkpoints yields the stored checkpoints of size minSize or more (inclusive: 0 yields them
	// all, the empty tree's too), smallest size first, each with its cosignatures. It stops at the
	// first error, which it yields with a zero Checkpoint.
	Checkpoints(ctx context.Context, minSize uint64) iter.Seq2[Checkpoint, error]
}

// Checkpoint is a signed checkpoint as a CheckpointStore keeps it.
type Checkpoint struct {
	// Size is the tree size the checkpoint commits to (the seq of the last event it covers; 0 for
	// the empty tree).
	Size uint64
	// Root is the RFC 9162 Merkle root at Size (audit.Tree).
	Root Hash
	// Note is the checkpoint as the ledger signed it: a C2SP signed note, the checkpoint's text
	// (origin, size, base64 root, and any extension lines), a blank line and the ledger's signature
	// line(s), each line ending "\n". At most MaxCheckpointNoteBytes bytes of UTF-8.
	Note []byte
	// Cosignatures are the witnesses' cosignatures of this checkpoint, in the order they were first
	// stored. Empty in what PutCheckpoint takes.
	Cosignatures []Cosignature
}

// Cosignature is one witness's signature of a checkpoint: one signature line of a C2SP signed note,
// "— <Name> <base64(Signature)>\n", split into its two fields.
type Cosignature struct {
	// Name is the witness's key name (1 to MaxKeyNameBytes bytes of UTF-8, no spaces or "+").
	Name string
	// Signature is the decoded signature: the 4-byte key hash, then the signature proper (for a
	// C2SP tlog-cosignature cosignature/v1: 8-byte big-endian timestamp ‖ 64-byte Ed25519
	// signature). 5 to MaxSignatureBytes bytes.
	Signature []byte
}

// Signer identifies who made a cosignature: its key name and key hash (the first 4 bytes of the
// signature), as signed-note verifiers match signatures to keys.
func (c Cosignature) Signer() string {
	if len(c.Signature) < 4 {
		return c.Name
	}
	return fmt.Sprintf("%s+%08x", c.Name, c.Signature[:4])
}

// Limits of what a CheckpointStore takes (signed-note keeps notes small; these bound a hostile
// witness or caller, not a real one).
const (
	// MaxCheckpointNoteBytes bounds Checkpoint.Note.
	MaxCheckpointNoteBytes = 16 << 10
	// MaxKeyNameBytes bounds a Cosignature.Name.
	MaxKeyNameBytes = 256
	// MaxSignatureBytes bounds a Cosignature.Signature (a cosignature/v1 is 76 bytes).
	MaxSignatureBytes = 1024
	// MaxCosignatures bounds the cosignatures kept per checkpoint; PutCosignature refuses more with
	// an *InvalidCheckpointError.
	MaxCosignatures = 64
)

var (
	// ErrInvalidCheckpoint: a checkpoint or cosignature breaks a shape rule (see
	// InvalidCheckpointError).
	ErrInvalidCheckpoint = errors.New("eventstore: invalid checkpoint")
	// ErrCheckpointNotFound: no checkpoint of that size is stored (or none at all). It matches
	// ErrNotFound.
	ErrCheckpointNotFound = fmt.Errorf("%w: no such checkpoint", ErrNotFound)
)

// InvalidCheckpointError reports the first shape rule a checkpoint or cosignature breaks. It matches
// ErrInvalidCheckpoint.
type InvalidCheckpointError struct {
	Size   uint64
	Reason string
}

func (e *InvalidCheckpointError) Error() string {
	return fmt.Sprintf("checkpoint of size %d: %s", e.Size, e.Reason)
}

// Is makes an *InvalidCheckpointError match ErrInvalidCheckpoint.
func (e *InvalidCheckpointError) Is(target error) bool { return target == ErrInvalidCheckpoint }

// Fault describes the refused checkpoint for people (fault.Malformed).
func (e *InvalidCheckpointError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Malformed, Message: e.Error(), Err: e}
}

// CheckpointConflictError reports a checkpoint or cosignature that disagrees with the checkpoint
// stored at its size: another root (two histories under one key) or another note (another origin
// or key). It matches ErrConflict.
type CheckpointConflictError struct {
	Size       uint64
	StoredRoot Hash
	Root       Hash
}

func (e *CheckpointConflictError) Error() string {
	if e.StoredRoot == e.Root {
		return fmt.Sprintf("checkpoint of size %d: the stored checkpoint of root %s is another note (another origin or key)", e.Size, e.Root)
	}
	return fmt.Sprintf("checkpoint of size %d: root %s, but the stored checkpoint of that size has root %s", e.Size, e.Root, e.StoredRoot)
}

// Is makes a *CheckpointConflictError match ErrConflict.
func (e *CheckpointConflictError) Is(target error) bool { return target == ErrConflict }

// Fault describes the conflict for people (fault.Conflict).
func (e *CheckpointConflictError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Conflict, Message: e.Error(), Err: e}
}

// CheckCheckpoint checks the shapes a CheckpointStore requires of a checkpoint it is asked to put.
// It returns an *InvalidCheckpointError, or nil. Stores call it; callers need not.
func CheckCheckpoint(cp Checkpoint) error {
	bad := func(format string, a ...any) error {
		return &InvalidCheckpointError{Size: cp.Size, Reason: fmt.Sprintf(format, a...)}
	}
	switch {
	case len(cp.Note) == 0:
		return bad("the note is empty")
	case len(cp.Note) > MaxCheckpointNoteBytes:
		return bad("the note is %d bytes, the most is %d", len(cp.Note), MaxCheckpointNoteBytes)
	case !utf8.Valid(cp.Note):
		return bad("the note is not UTF-8")
	case cp.Note[len(cp.Note)-1] != '\n':
		return bad("the note does not end with a newline")
	case !bytes.Contains(cp.Note, []byte("\n\n")):
		return bad("the note has no blank line before its signatures")
	}
	return nil
}

// CheckCosignature checks the shapes a CheckpointStore requires of a cosignature of the checkpoint
// of size. It returns an *InvalidCheckpointError, or nil. Stores call it; callers need not.
func CheckCosignature(size uint64, c Cosignature) error {
	bad := func(format string, a ...any) error {
		return &InvalidCheckpointError{Size: size, Reason: "cosignature: " + fmt.Sprintf(format, a...)}
	}
	switch {
	case c.Name == "" || len(c.Name) > MaxKeyNameBytes:
		return bad("the key name is %d bytes, want 1 to %d", len(c.Name), MaxKeyNameBytes)
	case !utf8.ValidString(c.Name):
		return bad("the key name is not UTF-8")
	case len(c.Signature) < 5 || len(c.Signature) > MaxSignatureBytes:
		return bad("the signature is %d bytes, want 5 to %d", len(c.Signature), MaxSignatureBytes)
	}
	for _, r := range c.Name {
		if r == '+' || r == ' ' || r == '\n' || r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return bad("the key name %q holds %q", c.Name, r)
		}
	}
	return nil
}

// AddCosignature returns cosigs with c appended unless a cosignature by the same signer is in it
// already (added is then false and cosigs is returned unchanged). It refuses more than
// MaxCosignatures with an *InvalidCheckpointError. Stores call it so that all keep the same rule.
func AddCosignature(size uint64, cosigs []Cosignature, c Cosignature) (out []Cosignature, added bool, err error) {
	if err := CheckCosignature(size, c); err != nil {
		return cosigs, false, err
	}
	for _, have := range cosigs {
		if have.Signer() == c.Signer() {
			return cosigs, false, nil
		}
	}
	if len(cosigs) >= MaxCosignatures {
		return cosigs, false, &InvalidCheckpointError{Size: size, Reason: fmt.Sprintf("cosignature: the checkpoint has %d cosignatures already, the most kept", MaxCosignatures)}
	}
	c.Signature = bytes.Clone(c.Signature)
	return append(cosigs, c), true, nil
}

// SameCheckpoint reports whether putting cp over stored is the same checkpoint (nil) or a
// *CheckpointConflictError. Stores call it so that all keep the same rule.
func SameCheckpoint(stored, cp Checkpoint) error {
	if stored.Root != cp.Root || !bytes.Equal(stored.Note, cp.Note) {
		return &CheckpointConflictError{Size: cp.Size, StoredRoot: stored.Root, Root: cp.Root}
	}
	return nil
}

// CheckpointSet is a CheckpointStore's rules over checkpoints held in memory: memstore keeps its
// checkpoints in one, and KurrentDB folds its checkpoint stream into one. The zero CheckpointSet is
// empty and ready to use. It is not safe for concurrent use; its owner locks.
type CheckpointSet struct {
	sizes  []uint64 // ascending
	bySize map[uint64]*Checkpoint
}

// Put stores cp as PutCheckpoint does: nil when it is new or the same as the stored one (stored is
// then false), a *CheckpointConflictError or *InvalidCheckpointError otherwise.
func (s *CheckpointSet) Put(cp Checkpoint) (stored bool, err error) {
	if err := CheckCheckpoint(cp); err != nil {
		return false, err
	}
	if have, ok := s.bySize[cp.Size]; ok {
		return false, SameCheckpoint(*have, cp)
	}
	if s.bySize == nil {
		s.bySize = map[uint64]*Checkpoint{}
	}
	s.bySize[cp.Size] = &Checkpoint{Size: cp.Size, Root: cp.Root, Note: bytes.Clone(cp.Note)}
	i, _ := slices.BinarySearch(s.sizes, cp.Size)
	s.sizes = slices.Insert(s.sizes, i, cp.Size)
	return true, nil
}

// AddCosignature adds c to the checkpoint of size with root as PutCosignature does.
func (s *CheckpointSet) AddCosignature(size uint64, root Hash, c Cosignature) (added bool, err error) {
	cp, ok := s.bySize[size]
	if !ok {
		return false, ErrCheckpointNotFound
	}
	if cp.Root != root {
		return false, &CheckpointConflictError{Size: size, StoredRoot: cp.Root, Root: root}
	}
	cp.Cosignatures, added, err = AddCosignature(size, cp.Cosignatures, c)
	return added, err
}

// Latest returns a copy of the checkpoint of the largest size, or ErrCheckpointNotFound.
func (s *CheckpointSet) Latest() (Checkpoint, error) {
	if len(s.sizes) == 0 {
		return Checkpoint{}, ErrCheckpointNotFound
	}
	return s.At(s.sizes[len(s.sizes)-1])
}

// At returns a copy of the checkpoint of size, or ErrCheckpointNotFound.
func (s *CheckpointSet) At(size uint64) (Checkpoint, error) {
	cp, ok := s.bySize[size]
	if !ok {
		return Checkpoint{}, ErrCheckpointNotFound
	}
	return cloneCheckpoint(*cp), nil
}

// From returns copies of the checkpoints of size minSize or more, smallest first.
func (s *CheckpointSet) From(minSize uint64) []Checkpoint {
	i, _ := slices.BinarySearch(s.sizes, minSize)
	out := make([]Checkpoint, 0, len(s.sizes)-i)
	for _, size := range s.sizes[i:] {
		out = append(out, cloneCheckpoint(*s.bySize[size]))
	}
	return out
}

func cloneCheckpoint(cp Checkpoint) Checkpoint {
	cp.Note = bytes.Clone(cp.Note)
	cosigs := make([]Cosignature, len(cp.Cosignatures))
	for i, c := range cp.Cosignatures {
		cosigs[i] = Cosignature{Name: c.Name, Signature: bytes.Clone(c.Signature)}
	}
	cp.Cosignatures = cosigs
	return cp
}

// CheckpointsOf is the iterator of CheckpointStore.Checkpoints for a store that loads the list whole
// (they are few: at most one per interval the server signs at): load runs when the iteration starts;
// its error is yielded with a zero Checkpoint.
func CheckpointsOf(load func() ([]Checkpoint, error)) iter.Seq2[Checkpoint, error] {
	return func(yield func(Checkpoint, error) bool) {
		cps, err := load()
		if err != nil {
			yield(Checkpoint{}, err)
			return
		}
		for _, cp := range cps {
			if !yield(cp, nil) {
				return
			}
		}
	}
}
