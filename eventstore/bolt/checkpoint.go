package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"

	"go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

// bucketCheckpoints holds the ledger's signed checkpoints and their cosignatures (eventstore.
// CheckpointStore), beside the log and never in it: tree size (8 bytes BE) → storedCheckpoint as
// JSON. A file written before checkpoints existed has no such bucket; the first PutCheckpoint makes
// it.
var bucketCheckpoints = []byte("checkpoints")

var _ eventstore.CheckpointStore = (*Store)(nil)

// storedCheckpoint is the value of one checkpoint: its root (hex), note (text) and cosignatures
// (signatures in base64), in the order stored.
type storedCheckpoint struct {
	Root         eventstore.Hash `json:"root"`
	Note         string          `json:"note"`
	Cosignatures []storedCosig   `json:"cosignatures,omitempty"`
}

type storedCosig struct {
	Name      string `json:"name"`
	Signature []byte `json:"signature"`
}

func encodeCheckpoint(cp eventstore.Checkpoint) []byte {
	v := storedCheckpoint{Root: cp.Root, Note: string(cp.Note)}
	for _, c := range cp.Cosignatures {
		v.Cosignatures = append(v.Cosignatures, storedCosig(c))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings, bytes and a hash always marshal
	}
	return b
}

func (s *Store) decodeCheckpoint(k, v []byte) (eventstore.Checkpoint, error) {
	if len(k) != 8 {
		return eventstore.Checkpoint{}, damaged(s.path, "the checkpoints bucket", "a key of %d bytes", len(k))
	}
	size := binary.BigEndian.Uint64(k)
	var sc storedCheckpoint
	if err := json.Unmarshal(v, &sc); err != nil {
		return eventstore.Checkpoint{}, damaged(s.path, fmt.Sprintf("the checkpoint of size %d", size), "it does not decode: %v", err)
	}
	cp := eventstore.Checkpoint{Size: size, Root: sc.Root, Note: []byte(sc.Note)}
	for _, c := range sc.Cosignatures {
		cp.Cosignatures = append(cp.Cosignatures, eventstore.Cosignature(c))
	}
	if err := eventstore.CheckCheckpoint(cp); err != nil {
		return eventstore.Checkpoint{}, damaged(s.path, fmt.Sprintf("the checkpoint of size %d", size), "%v", err)
	}
	return cp, nil
}

// checkpointWrite runs fn in a read-write transaction on the checkpoints bucket (made if missing),
// after checking ctx and that the store is open and writable. bbolt fsyncs before Update returns.
func (s *Store) checkpointWrite(ctx context.Context, fn func(b *bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.opts.ReadOnly {
		return fmt.Errorf("put checkpoint: %w", ErrReadOnly)
	}
	select {
	case <-s.closing:
		return eventstore.ErrClosed
	default:
	}
	return s.update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCheckpoints)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// checkpointRead runs fn on the checkpoints bucket, nil when the file has none.
func (s *Store) checkpointRead(ctx context.Context, fn func(b *bbolt.Bucket) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(func(tx *bbolt.Tx) error { return fn(tx.Bucket(bucketCheckpoints)) })
}

// PutCheckpoint implements eventstore.CheckpointStore.
func (s *Store) PutCheckpoint(ctx context.Context, cp eventstore.Checkpoint) error {
	if err := eventstore.CheckCheckpoint(cp); err != nil {
		return err
	}
	cp.Cosignatures = nil
	return s.checkpointWrite(ctx, func(b *bbolt.Bucket) error {
		k := u64(cp.Size)
		if v := b.Get(k); v != nil {
			have, err := s.decodeCheckpoint(k, v)
			if err != nil {
				return err
			}
			return eventstore.SameCheckpoint(have, cp)
		}
		return b.Put(k, encodeCheckpoint(cp))
	})
}

// PutCosignature implements eventstore.CheckpointStore.
func (s *Store) PutCosignature(ctx context.Context, size uint64, root eventstore.Hash, c eventstore.Cosignature) (added bool, err error) {
	if err := eventstore.CheckCosignature(size, c); err != nil {
		return false, err
	}
	err = s.checkpointWrite(ctx, func(b *bbolt.Bucket) error {
		k := u64(size)
		v := b.Get(k)
		if v == nil {
			return eventstore.ErrCheckpointNotFound
		}
		cp, err := s.decodeCheckpoint(k, v)
		if err != nil {
			return err
		}
		if cp.Root != root {
			return &eventstore.CheckpointConflictError{Size: size, StoredRoot: cp.Root, Root: root}
		}
		cp.Cosignatures, added, err = eventstore.AddCosignature(size, cp.Cosignatures, c)
		if err != nil || !added {
			return err
		}
		return b.Put(k, encodeCheckpoint(cp))
	})
	return added && err == nil, err
}

// LatestCheckpoint implements eventstore.CheckpointStore.
func (s *Store) LatestCheckpoint(ctx context.Context) (cp eventstore.Checkpoint, err error) {
	err = s.checkpointRead(ctx, func(b *bbolt.Bucket) error {
		if b == nil {
			return eventstore.ErrCheckpointNotFound
		}
		k, v := b.Cursor().Last()
		if k == nil {
			return eventstore.ErrCheckpointNotFound
		}
		cp, err = s.decodeCheckpoint(k, v)
		return err
	})
	return cp, err
}

// CheckpointAt implements eventstore.CheckpointStore.
func (s *Store) CheckpointAt(ctx context.Context, size uint64) (cp eventstore.Checkpoint, err error) {
	err = s.checkpointRead(ctx, func(b *bbolt.Bucket) error {
		var v []byte
		if b != nil {
			v = b.Get(u64(size))
		}
		if v == nil {
			return eventstore.ErrCheckpointNotFound
		}
		cp, err = s.decodeCheckpoint(u64(size), v)
		return err
	})
	return cp, err
}

// Checkpoints implements eventstore.CheckpointStore. It reads all of them in one transaction.
func (s *Store) Checkpoints(ctx context.Context, minSize uint64) iter.Seq2[eventstore.Checkpoint, error] {
	return eventstore.CheckpointsOf(func() (out []eventstore.Checkpoint, err error) {
		err = s.checkpointRead(ctx, func(b *bbolt.Bucket) error {
			if b == nil {
				return nil
			}
			c := b.Cursor()
			for k, v := c.Seek(u64(minSize)); k != nil; k, v = c.Next() {
				cp, err := s.decodeCheckpoint(k, v)
				if err != nil {
					return err
				}
				out = append(out, cp)
			}
			return nil
		})
		return out, err
	})
}
