package projections

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Subscriber is what a Runner needs of a store: eventstore.Store satisfies it.
type Subscriber interface {
	SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error]
}

// Runner folds the global log into Models, starting after the models' checkpoint (Models.Seq) and
// then following the log live. The read models are in memory, so the checkpoint is the last folded
// seq: a Runner given models loaded with Load carries on from where Load stopped.
//
// A Runner is safe for concurrent use: Seq and WaitFor may be called while Run folds, and the Models
// may be queried at the same time.
type Runner struct {
	src    Subscriber
	models *Models
}

// NewRunner returns a runner that folds src into m.
func NewRunner(src Subscriber, m *Models) *Runner {
	return &Runner{src: src, models: m}
}

// Models returns the read models the runner folds into.
func (r *Runner) Models() *Models { return r.models }

// Run folds every event after the checkpoint (with CatchUp when src can also ReadAll) and then follows
// the log until ctx is done. It returns
// ctx's error when ctx ends it, the store's error (wrapped) when the subscription fails, and
// ErrOutOfOrder when the log skips or repeats a seq. Run one Run at a time per Models.
func (r *Runner) Run(ctx context.Context) error {
	if rd, ok := r.src.(Reader); ok {
		// Catch up with the log as it stands on every CPU first (CatchUp), then follow it.
		if err := r.models.CatchUp(ctx, rd); err != nil {
			return err
		}
	}
	for e, err := range r.src.SubscribeAll(ctx, r.models.Seq()) {
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return ctxErr
			}
			return fmt.Errorf("projections: follow the log after seq %d: %w", r.models.Seq(), err)
		}
		if err := r.models.Apply(e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Seq returns the last seq folded into the models.
func (r *Runner) Seq() uint64 { return r.models.Seq() }

// WaitFor blocks until the models have folded seq (read-your-writes: a client that wrote seq 812
// asks for min_seq=812), or ctx is done, and then returns ctx's error.
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error { return r.models.WaitFor(ctx, seq) }
