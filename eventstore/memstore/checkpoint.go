package memstore

import (
	"context"
	"iter"

	"github.com/partnership-ledger/ledger/eventstore"
)

var _ eventstore.CheckpointStore = (*Store)(nil)

// locked runs fn under the store's lock, after checking ctx and that the store is open.
func (s *Store) locked(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.ErrClosed
	}
	return fn()
}

// PutCheckpoint implements eventstore.CheckpointStore.
func (s *Store) PutCheckpoint(ctx context.Context, cp eventstore.Checkpoint) error {
	return s.locked(ctx, func() error {
		_, err := s.checkpoints.Put(cp)
		return err
	})
}

// PutCosignature implements eventstore.CheckpointStore.
func (s *Store) PutCosignature(ctx context.Context, size uint64, root eventstore.Hash, c eventstore.Cosignature) (added bool, err error) {
	err = s.locked(ctx, func() error {
		added, err = s.checkpoints.AddCosignature(size, root, c)
		return err
	})
	return added, err
}

// LatestCheckpoint implements eventstore.CheckpointStore.
func (s *Store) LatestCheckpoint(ctx context.Context) (cp eventstore.Checkpoint, err error) {
	err = s.locked(ctx, func() error {
		cp, err = s.checkpoints.Latest()
		return err
	})
	return cp, err
}

// CheckpointAt implements eventstore.CheckpointStore.
func (s *Store) CheckpointAt(ctx context.Context, size uint64) (cp eventstore.Checkpoint, err error) {
	err = s.locked(ctx, func() error {
		cp, err = s.checkpoints.At(size)
		return err
	})
	return cp, err
}

// Checkpoints implements eventstore.CheckpointStore.
func (s *Store) Checkpoints(ctx context.Context, minSize uint64) iter.Seq2[eventstore.Checkpoint, error] {
	return eventstore.CheckpointsOf(func() (cps []eventstore.Checkpoint, err error) {
		err = s.locked(ctx, func() error { cps = s.checkpoints.From(minSize); return nil })
		return cps, err
	})
}
