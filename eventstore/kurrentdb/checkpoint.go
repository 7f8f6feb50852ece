package kurrentdb

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Checkpoints (eventstore.CheckpointStore) live in one KurrentDB stream of their own, outside the
// ledger's namespace: CheckpointStream(Options.Namespace). Its events carry no ledger marker, so no
// reader counts them as ledger events (they take no seq and no place in the Merkle tree). Each put is
// one event appended at the stream's exact next revision:
//
//	"LedgerCheckpoint":  {"size": N, "root": "<hex>", "note": "<signed note>"}
//	"LedgerCosignature": {"size": N, "root": "<hex>", "name": "<key name>", "signature": "<base64>"}
//
// The Store folds the stream into an eventstore.CheckpointSet, reading only what it has not read yet
// before each call. An event whose put the rules refuse (a second checkpoint of a size, written by
// something other than this package) is skipped: the first stays. An event that does not decode is
// an *eventstore.DamageError.
const (
	checkpointStreamName = "ledger.checkpoints"
	typeCheckpoint       = "LedgerCheckpoint"
	typeCosignature      = "LedgerCosignature"
)

// CheckpointStream is the KurrentDB stream holding the checkpoints of the ledger of namespace ns:
// "ledger.checkpoints", or "ledger.checkpoints.<ns without its '-'>" with a namespace. No namespace
// ("<letters, digits, _>-") is a prefix of it, and it is no partnership's stream.
func CheckpointStream(ns string) string {
	if ns == "" {
		return checkpointStreamName
	}
	return checkpointStreamName + "." + strings.TrimSuffix(ns, "-")
}

var _ eventstore.CheckpointStore = (*Store)(nil)

// checkpointFold is the Store's fold of its checkpoint stream.
type checkpointFold struct {
	mu   sync.Mutex // one checkpoint call at a time in this process
	set  eventstore.CheckpointSet
	next uint64 // the next revision to read
}

type checkpointEvent struct {
	Size      uint64          `json:"size"`
	Root      eventstore.Hash `json:"root"`
	Note      string          `json:"note,omitempty"`
	Name      string          `json:"name,omitempty"`
	Signature []byte          `json:"signature,omitempty"`
}

// catchUp folds the events of the checkpoint stream not folded yet. Call with f.mu held.
func (s *Store) catchUpCheckpoints(ctx context.Context) error {
	f := &s.checkpoints
	stream := CheckpointStream(s.opts.Namespace)
	for {
		rs, _, err := s.readRawPage(ctx, stream, esdb.Forwards, esdb.Revision(f.next), page)
		if err != nil {
			return mapErr("read checkpoints", err)
		}
		for _, r := range rs {
			if r.EventNumber != f.next {
				return &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, f.next),
					Reason: fmt.Sprintf("KurrentDB answered revision %d: events were deleted behind the ledger's back", r.EventNumber)}
			}
			var ev checkpointEvent
			if err := json.Unmarshal(r.Data, &ev); err != nil {
				return &eventstore.DamageError{Where: fmt.Sprintf("stream %s at revision %d", stream, r.EventNumber), Reason: fmt.Sprintf("the event does not decode: %v", err)}
			}
			switch r.EventType {
			case typeCheckpoint:
				f.set.Put(eventstore.Checkpoint{Size: ev.Size, Root: ev.Root, Note: []byte(ev.Note)})
			case typeCosignature:
				f.set.AddCosignature(ev.Size, ev.Root, eventstore.Cosignature{Name: ev.Name, Signature: ev.Signature})
			}
			f.next++
		}
		if len(rs) < page {
			return nil
		}
	}
}

// putCheckpointEvent appends one event to the checkpoint stream at its exact next revision, after
// folding everything before it: decide returns the event to append and its type from the fold (nil:
// nothing to do, or the error to return). After a lost race it folds again and decides again.
func (s *Store) putCheckpointEvent(ctx context.Context, decide func() (*checkpointEvent, string, error)) error {
	unlock, err := s.lockCheckpoints(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	f := &s.checkpoints
	stream := CheckpointStream(s.opts.Namespace)
	for lost, transient := 0, 0; ; {
		ev, typ, err := decide()
		if err != nil || ev == nil {
			return err
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		rev := esdb.ExpectedRevision(esdb.NoStream{})
		if f.next > 0 {
			rev = esdb.Revision(f.next - 1)
		}
		err = s.use(func(c *esdb.Client) error {
			_, err := c.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: rev},
				esdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: esdb.ContentTypeJson, Data: data})
			return err
		})
		switch {
		case err == nil:
			return s.catchUpCheckpoints(ctx) // folds it, with anything another process put before it
		case isCode(err, esdb.ErrorCodeWrongExpectedVersion):
			if lost++; lost > eventstore.AnyRetries {
				return &eventstore.ContendedError{Stream: stream, Attempts: lost}
			}
			if err := backoff(ctx, lost); err != nil {
				return err
			}
		case transient < transientRetries && (transientErr(err) || s.reconnectIfClosed(err)):
			transient++ // the next round's fold tells whether it landed
		default:
			return mapErr("put checkpoint", err)
		}
		if err := s.catchUpCheckpoints(ctx); err != nil {
			return err
		}
	}
}

// PutCheckpoint implements eventstore.CheckpointStore.
func (s *Store) PutCheckpoint(ctx context.Context, cp eventstore.Checkpoint) error {
	if err := eventstore.CheckCheckpoint(cp); err != nil {
		return err
	}
	return s.putCheckpointEvent(ctx, func() (*checkpointEvent, string, error) {
		if have, err := s.checkpoints.set.At(cp.Size); err == nil {
			return nil, "", eventstore.SameCheckpoint(have, cp)
		}
		return &checkpointEvent{Size: cp.Size, Root: cp.Root, Note: string(cp.Note)}, typeCheckpoint, nil
	})
}

// PutCosignature implements eventstore.CheckpointStore.
func (s *Store) PutCosignature(ctx context.Context, size uint64, root eventstore.Hash, c eventstore.Cosignature) (added bool, err error) {
	if err := eventstore.CheckCosignature(size, c); err != nil {
		return false, err
	}
	err = s.putCheckpointEvent(ctx, func() (*checkpointEvent, string, error) {
		have, err := s.checkpoints.set.At(size)
		if err != nil {
			return nil, "", err
		}
		if have.Root != root {
			return nil, "", &eventstore.CheckpointConflictError{Size: size, StoredRoot: have.Root, Root: root}
		}
		if _, added, err = eventstore.AddCosignature(size, have.Cosignatures, c); err != nil || !added {
			return nil, "", err
		}
		return &checkpointEvent{Size: size, Root: root, Name: c.Name, Signature: c.Signature}, typeCosignature, nil
	})
	return added && err == nil, err
}

// lockCheckpoints takes the fold's lock and folds what the stream holds beyond it; unlock releases it.
func (s *Store) lockCheckpoints(ctx context.Context) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, eventstore.ErrClosed
	}
	f := &s.checkpoints
	f.mu.Lock()
	if err := s.catchUpCheckpoints(ctx); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	return f.mu.Unlock, nil
}

// readCheckpoints runs fn on the fold once it has caught up with the stream.
func (s *Store) readCheckpoints(ctx context.Context, fn func(set *eventstore.CheckpointSet) error) error {
	unlock, err := s.lockCheckpoints(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return fn(&s.checkpoints.set)
}

// LatestCheckpoint implements eventstore.CheckpointStore.
func (s *Store) LatestCheckpoint(ctx context.Context) (cp eventstore.Checkpoint, err error) {
	err = s.readCheckpoints(ctx, func(set *eventstore.CheckpointSet) error {
		cp, err = set.Latest()
		return err
	})
	return cp, err
}

// CheckpointAt implements eventstore.CheckpointStore.
func (s *Store) CheckpointAt(ctx context.Context, size uint64) (cp eventstore.Checkpoint, err error) {
	err = s.readCheckpoints(ctx, func(set *eventstore.CheckpointSet) error {
		cp, err = set.At(size)
		return err
	})
	return cp, err
}

// Checkpoints implements eventstore.CheckpointStore.
func (s *Store) Checkpoints(ctx context.Context, minSize uint64) iter.Seq2[eventstore.Checkpoint, error] {
	return eventstore.CheckpointsOf(func() (cps []eventstore.Checkpoint, err error) {
		err = s.readCheckpoints(ctx, func(set *eventstore.CheckpointSet) error {
			cps = set.From(minSize)
			return nil
		})
		return cps, err
	})
}
