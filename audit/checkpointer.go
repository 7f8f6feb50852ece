package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Checkpoint returns the ledger's checkpoint at size under origin, signed with the log's key
// (Key.SignCheckpoint), as a CheckpointStore takes it. Errors: an *OutOfRangeError (ErrOutOfRange)
// for a size the log does not have, a bad origin (CheckOrigin).
func (l *Log) Checkpoint(origin string, size uint64) (eventstore.Checkpoint, error) {
	if n := l.Size(); size > n {
		return eventstore.Checkpoint{}, &OutOfRangeError{What: "size", Value: size, Limit: n}
	}
	root, err := l.tree.Root(size)
	if err != nil {
		return eventstore.Checkpoint{}, err
	}
	note, err := l.key.SignCheckpoint(origin, size, root)
	if err != nil {
		return eventstore.Checkpoint{}, err
	}
	return eventstore.Checkpoint{Size: size, Root: root, Note: note}, nil
}

// DefaultCheckpointEvery is the least time between two checkpoints a Checkpointer signs.
const DefaultCheckpointEvery = time.Second

// Checkpointer signs the ledger's checkpoints and keeps them in a CheckpointStore, beside the log: a
// server runs one (Run) so that a checkpoint follows its appends, at most one every Every, in the
// background; appends never wait for it.
type Checkpointer struct {
	Log    *Log
	Store  eventstore.CheckpointStore
	Origin string // checked by CheckOrigin (NewCheckpointer)
	// Every is the least time between two checkpoints Run signs. Default DefaultCheckpointEvery.
	Every time.Duration
	// Logger gets a warning when a checkpoint cannot be stored. Default: discard.
	Logger *slog.Logger
	// Stored, when set, is called (from Run's goroutine) with each checkpoint Run stores that was
	// not stored before: a witness client asks its witnesses to cosign it.
	Stored func(eventstore.Checkpoint)

	mu sync.Mutex // one signing at a time
}

// NewCheckpointer returns a Checkpointer of l's checkpoints under origin into store, or an error
// for a bad origin (CheckOrigin).
func NewCheckpointer(l *Log, store eventstore.CheckpointStore, origin string) (*Checkpointer, error) {
	if err := CheckOrigin(origin); err != nil {
		return nil, err
	}
	return &Checkpointer{Log: l, Store: store, Origin: origin}, nil
}

// SignNow signs the checkpoint at the log's current size and stores it (doing nothing when it is
// stored already), and returns whether it was new. Errors: the store's (a
// *eventstore.CheckpointConflictError when the store holds another checkpoint of that size: another
// origin or key, or another history).
func (c *Checkpointer) SignNow(ctx context.Context) (eventstore.Checkpoint, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	size := c.Log.Size()
	if have, err := c.Store.CheckpointAt(ctx, size); err == nil {
		cp, err := c.Log.Checkpoint(c.Origin, size)
		if err != nil {
			return eventstore.Checkpoint{}, false, err
		}
		return have, false, eventstore.SameCheckpoint(have, cp)
	} else if !errors.Is(err, eventstore.ErrCheckpointNotFound) {
		return eventstore.Checkpoint{}, false, err
	}
	cp, err := c.Log.Checkpoint(c.Origin, size)
	if err != nil {
		return eventstore.Checkpoint{}, false, err
	}
	if err := c.Store.PutCheckpoint(ctx, cp); err != nil {
		return eventstore.Checkpoint{}, false, fmt.Errorf("store the checkpoint of size %d: %w", size, err)
	}
	return cp, true, nil
}

// Latest returns the latest stored checkpoint with its cosignatures; when none is stored yet it
// signs and stores one at the log's size first.
func (c *Checkpointer) Latest(ctx context.Context) (eventstore.Checkpoint, error) {
	cp, err := c.Store.LatestCheckpoint(ctx)
	if errors.Is(err, eventstore.ErrCheckpointNotFound) {
		if _, _, err = c.SignNow(ctx); err != nil {
			return cp, err
		}
		cp, err = c.Store.LatestCheckpoint(ctx)
	}
	return cp, err
}

// Run signs and stores a checkpoint of the log as it is, then another each time the log has grown,
// no sooner than Every after the last, until ctx ends (it returns ctx's error). A checkpoint that
// cannot be stored is logged and tried again at the next growth; Run stops only with ctx.
func (c *Checkpointer) Run(ctx context.Context) error {
	every := c.Every
	if every <= 0 {
		every = DefaultCheckpointEvery
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	for {
		cp, added, err := c.SignNow(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			logger.Warn("checkpoint not stored", "size", c.Log.Size(), "err", err)
		} else if added && c.Stored != nil {
			c.Stored(cp)
		}
		signed := c.Log.Size()
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if err := c.Log.WaitFor(ctx, signed+1); err != nil {
			return err
		}
	}
}
