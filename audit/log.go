package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Log follows a store's global log and keeps its Merkle tree current, so that a server can answer
// signed tree heads, inclusion and consistency proofs at any size without reading the store again. It
// remembers each event's id and recorded_at (about 70 bytes per event with the id index, plus the
// tree's 64): about 140 MB for a million events.
//
// Run (or CatchUp, or Add) feeds it from one goroutine; every other method is safe for concurrent use
// while it appends. Log trusts the
// store's hashes (it checks only that seq is contiguous): Verify is what recomputes them.
type Log struct {
	store eventstore.Store
	key   Key
	tree  *Tree

	mu         sync.RWMutex
	ids        []uuid.UUID // by seq-1
	recordedAt []int64     // Unix nanoseconds, by seq-1
	bySeq      map[uuid.UUID]uint64
	grown      chan struct{} // made by a waiter, closed (and cleared) when the log next grows
}

// NewLog returns a Log over store that signs tree heads with key. It reads nothing until Run or
// CatchUp.
func NewLog(store eventstore.Store, key Key) *Log {
	return &Log{store: store, key: key, tree: NewTree(0), bySeq: map[uuid.UUID]uint64{}}
}

// Run subscribes to the store from the start (or from where an earlier Run stopped) and appends every
// event to the tree until ctx ends; then it returns ctx's error. It returns any other subscription
// error, or an error matching ErrTampered if the store yields a seq out of order. Call it from one
// goroutine at a time.
func (l *Log) Run(ctx context.Context) error {
	after := l.Size()
	if after == 0 {
		// Size everything for the catch-up at once rather than growing it a million times.
		if head, err := l.store.Head(ctx); err == nil && head.Seq > 0 {
			l.reserve(head.Seq)
		}
	}
	for e, err := range l.store.SubscribeAll(ctx, after) {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return ctxErr
			}
			return fmt.Errorf("audit log: %w", err)
		}
		if err := l.add(e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// CatchUp reads the store from where the log stands to its current end and returns the new size: what
// a one-shot command (`ledger prove`, `ledger check-consistency`) needs instead of Run. It returns the
// store's errors and an error matching ErrTampered if the store yields a seq out of order. Do not run it
// while Run is running.
func (l *Log) CatchUp(ctx context.Context) (uint64, error) {
	after := l.Size()
	if after == 0 {
		if head, err := l.store.Head(ctx); err == nil && head.Seq > 0 {
			l.reserve(head.Seq)
		}
	}
	for e, err := range l.store.ReadAll(ctx, after, eventstore.Forward, 0) {
		if err != nil {
			return l.Size(), fmt.Errorf("audit log: %w", err)
		}
		if err := l.add(e); err != nil {
			return l.Size(), err
		}
	}
	return l.Size(), nil
}

// reserve makes room for n events.
func (l *Log) reserve(n uint64) {
	n = min(n, maxReserve)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) > 0 {
		return
	}
	l.ids = make([]uuid.UUID, 0, n)
	l.recordedAt = make([]int64, 0, n)
	l.bySeq = make(map[uuid.UUID]uint64, n)
	l.tree.reserve(int(n))
}

// Add appends one event, which must be the next seq. Run calls it; it is exported for callers that
// already hold the events (a one-shot command that has just read the log). It returns an error
// matching ErrTampered when e.Seq is not Size()+1.
func (l *Log) Add(e eventstore.Event) error { return l.add(e) }

func (l *Log) add(e eventstore.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if want := uint64(len(l.ids)) + 1; e.Seq != want {
		return fmt.Errorf("audit log: %w: got event seq %d, want %d", ErrTampered, e.Seq, want)
	}
	l.tree.Append(e.Hash)
	l.ids = append(l.ids, e.ID)
	l.recordedAt = append(l.recordedAt, e.RecordedAt.UnixNano())
	l.bySeq[e.ID] = e.Seq
	if l.grown != nil {
		close(l.grown)
		l.grown = nil
	}
	return nil
}

// Size returns how many events the log holds.
func (l *Log) Size() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return uint64(len(l.ids))
}

// Tree returns the log's Merkle tree (safe for concurrent use; it only grows).
func (l *Log) Tree() *Tree { return l.tree }

// Key returns the key the log signs with.
func (l *Log) Key() Key { return l.key }

// WaitFor blocks until the log holds event seq, or ctx ends (then it returns ctx's error).
func (l *Log) WaitFor(ctx context.Context, seq uint64) error {
	for {
		l.mu.Lock()
		if uint64(len(l.ids)) >= seq {
			l.mu.Unlock()
			return nil
		}
		if l.grown == nil {
			l.grown = make(chan struct{})
		}
		grown := l.grown
		l.mu.Unlock()
		select {
		case <-grown:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Seq returns the seq of the event with id, and false if the log has not seen it.
func (l *Log) Seq(id uuid.UUID) (uint64, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	seq, ok := l.bySeq[id]
	return seq, ok
}

// TreeHead returns the signed tree head at size (0 ≤ size ≤ Size()), timestamped with the recorded_at
// of event size. It returns an *OutOfRangeError (ErrOutOfRange) for a larger size.
func (l *Log) TreeHead(size uint64) (TreeHead, error) {
	l.mu.RLock()
	n := uint64(len(l.ids))
	ts := emptyTimestamp
	if size > 0 && size <= n {
		ts = time.Unix(0, l.recordedAt[size-1]).UTC()
	}
	l.mu.RUnlock()
	if size > n {
		return TreeHead{}, &OutOfRangeError{What: "size", Value: size, Limit: n}
	}
	root, err := l.tree.Root(size)
	if err != nil {
		return TreeHead{}, err
	}
	return l.key.Sign(size, root, ts), nil
}

// LatestTreeHead returns the signed tree head at the current size.
func (l *Log) LatestTreeHead() TreeHead {
	th, _ := l.TreeHead(l.Size()) // the size is never out of range: the log only grows
	return th
}

// InclusionProof returns the audit path of event seq in the tree of the given size. It returns an
// *OutOfRangeError (ErrOutOfRange) unless 1 ≤ seq ≤ size ≤ Size().
func (l *Log) InclusionProof(seq, size uint64) ([]Hash, error) {
	if seq == 0 {
		return nil, &OutOfRangeError{What: "seq", Value: 0, Limit: size}
	}
	return l.tree.InclusionProof(seq-1, size)
}

// ConsistencyProof returns the proof that the tree of size to extends the tree of size from. It returns
// an *OutOfRangeError (ErrOutOfRange) unless from ≤ to ≤ Size().
func (l *Log) ConsistencyProof(from, to uint64) ([]Hash, error) {
	return l.tree.ConsistencyProof(from, to)
}

// Consistency returns the signed tree heads at from and to with the proof between them.
// Errors as ConsistencyProof.
func (l *Log) Consistency(from, to uint64) (Consistency, error) {
	proof, err := l.tree.ConsistencyProof(from, to)
	if err != nil {
		return Consistency{}, err
	}
	older, err := l.TreeHead(from)
	if err != nil {
		return Consistency{}, err
	}
	newer, err := l.TreeHead(to)
	if err != nil {
		return Consistency{}, err
	}
	return Consistency{From: older, To: newer, Proof: proof}, nil
}

// Prove returns the proof bundle for the event with id under the latest tree head. It reads the event
// from the store. It returns an error matching eventstore.ErrNotFound if the log has not seen the id,
// the store's errors, and Prove's.
func (l *Log) Prove(ctx context.Context, id uuid.UUID) (Bundle, error) {
	seq, ok := l.Seq(id)
	if !ok {
		return Bundle{}, fmt.Errorf("prove event %s: %w", id, eventstore.ErrNotFound)
	}
	return l.ProveSeq(ctx, seq, l.Size())
}

// ProveSeq returns the proof bundle for event seq under the tree head at size. It reads the event from
// the store. Errors: an *OutOfRangeError (ErrOutOfRange) unless 1 ≤ seq ≤ size ≤ Size(); the store's
// errors; Prove's.
func (l *Log) ProveSeq(ctx context.Context, seq, size uint64) (Bundle, error) {
	if seq == 0 || seq > size {
		return Bundle{}, &OutOfRangeError{What: "seq", Value: seq, Limit: size}
	}
	th, err := l.TreeHead(size)
	if err != nil {
		return Bundle{}, err
	}
	var (
		e     eventstore.Event
		found bool
	)
	for ev, err := range l.store.ReadAll(ctx, seq-1, eventstore.Forward, 1) {
		if err != nil {
			return Bundle{}, fmt.Errorf("prove seq %d: %w", seq, err)
		}
		e, found = ev, true
	}
	if !found || e.Seq != seq {
		return Bundle{}, fmt.Errorf("prove seq %d: %w", seq, eventstore.ErrNotFound)
	}
	return Prove(l.tree, e, th)
}
