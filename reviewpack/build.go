package reviewpack

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

// StreamReader is what Build reads events from: eventstore.Store satisfies it.
type StreamReader interface {
	ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error]
}

// Source is what a pack is built from: the partnership's events, the read models (to resolve
// known_at), and the audit log (for the signed tree head and inclusion proofs). A server passes its
// live models and log; a one-shot command gets them from LoadSource.
type Source struct {
	Events StreamReader
	Models *projections.Models
	Log    *audit.Log
	// Checkpoints and Origin, when both set, make the pack embed a C2SP checkpoint (PackCheckpoint):
	// the ledger's stored checkpoints and the origin it signs them under. Witnessed says whether a
	// stored checkpoint has the ledger's quorum of witness cosignatures; nil: none has (a ledger
	// without witnesses).
	Checkpoints eventstore.CheckpointStore
	Origin      string
	Witnessed   func(eventstore.Checkpoint) bool
}

// Options say which pack to build.
type Options struct {
	Partnership string
	AsOf        domain.Date // the date in effect; the zero Date means today in Europe/London by Now
	// KnownAt is what the ledger had recorded; the zero value (not given) means the end of the as-of
	// day in Europe/London (KnownAtFor), so that a pack as of June does not know September. Ask for
	// everything recorded with ParseKnownAt("all").
	KnownAt projections.KnownAt
	Cover   CoverOptions
	// Since, when not nil, is the known-at of the last report (ParseSince): the pack lists what was
	// recorded after it and before KnownAt, and what that changed. It must come before KnownAt.
	Since *projections.KnownAt
	// Now gives "today" when AsOf is the zero Date. Default time.Now. A pack with an explicit AsOf never
	// reads it.
	Now func() time.Time
}

// KnownAtFor is the known_at a pack as of asOf is built at: opts.KnownAt when given, else the end of
// asOf in Europe/London (projections.KnownAtEndOf).
func (o Options) KnownAtFor(asOf domain.Date) projections.KnownAt {
	if o.KnownAt.Given() {
		return o.KnownAt
	}
	return projections.KnownAtEndOf(asOf)
}

// Build builds the review pack for a partnership as of opts.AsOf, as known at opts.KnownAt. The tree
// head is the signed head at the known_at cut (its size is the last seq known), so the same query on
// the same ledger always builds the same pack, byte for byte, however much the ledger has grown since.
//
// Errors: a *CoverError for a cover option CoverOptions.Check refuses, for a meeting dated before the
// as-of date, or for a meeting that names no body of the pack; a fault at the parameter "since" for a Since not before KnownAt; those of projections' queries (ErrUnknownPartnership), the store's, and
// audit's (the log has not caught up with the models, or its tree does not match the events).
// Build is safe for concurrent use when its Source's parts are.
func Build(ctx context.Context, src Source, opts Options) (*Pack, error) {
	if err := opts.Cover.Check(); err != nil {
		return nil, err
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		asOf = domain.LondonDate(now())
	}
	if err := checkMeetingsAfter(opts.Cover, asOf); err != nil {
		return nil, err
	}
	opts.KnownAt = opts.KnownAtFor(asOf)
	// Where the query falls on both axes (as_of checked, known_at resolved to a seq), without a fold:
	// Compose folds the evidence itself.
	axes, err := src.Models.Axes(opts.Partnership, projections.Query{AsOf: asOf, KnownAt: opts.KnownAt})
	if err != nil {
		return nil, fmt.Errorf("review pack %s: %w", opts.Partnership, err)
	}
	size := axes.KnownAt.Seq
	if err := src.Log.WaitFor(ctx, size); err != nil {
		return nil, fmt.Errorf("review pack %s: wait for the audit log to reach seq %d: %w", opts.Partnership, size, err)
	}
	th, err := src.Log.TreeHead(size)
	if err != nil {
		return nil, fmt.Errorf("review pack %s: tree head: %w", opts.Partnership, err)
	}
	ev := &Evidence{Partnership: opts.Partnership, AsOf: asOf.String(), KnownAt: opts.KnownAt.String(), Cover: opts.Cover, TreeHead: th}
	if opts.Since != nil {
		if ev.SinceSeq, err = resolveSince(src.Models, *opts.Since, opts.KnownAt, size, opts.Now); err != nil {
			return nil, err
		}
		ev.Since = opts.Since.String()
	}
	if ev.Checkpoint, err = checkpointFor(ctx, src, size); err != nil {
		return nil, fmt.Errorf("review pack %s: %w", opts.Partnership, err)
	}
	tree := src.Log.Tree()
	for e, err := range src.Events.ReadStream(ctx, domain.StreamPrefix+opts.Partnership, eventstore.Start, eventstore.Forward, 0) {
		if err != nil {
			return nil, fmt.Errorf("review pack %s: read events: %w", opts.Partnership, err)
		}
		if e.Seq > size {
			break
		}
		leaf, err := tree.LeafAt(e.Seq - 1)
		if err != nil {
			return nil, fmt.Errorf("review pack %s: event seq %d: %w", opts.Partnership, e.Seq, err)
		}
		if leaf != audit.LeafHash(e.Hash[:]) {
			return nil, fmt.Errorf("review pack %s: %w: the audit log's leaf for seq %d is not event %s's hash", opts.Partnership, audit.ErrTampered, e.Seq, e.ID)
		}
		path, err := tree.InclusionProof(e.Seq-1, size)
		if err != nil {
			return nil, fmt.Errorf("review pack %s: proof of seq %d: %w", opts.Partnership, e.Seq, err)
		}
		ev.Events = append(ev.Events, CitedEvent{Event: e, LeafIndex: e.Seq - 1, AuditPath: path})
	}
	r, err := Compose(ctx, ev)
	if err != nil {
		return nil, fmt.Errorf("review pack %s: %w", opts.Partnership, err)
	}
	return &Pack{Report: r, Evidence: ev}, nil
}

// LoadSource reads every event of store once into fresh read models (for partnership alone) and an
// audit log signed with key: the Source of a one-shot command. Errors are the store's.
func LoadSource(ctx context.Context, store eventstore.Store, key audit.Key, partnership string) (Source, error) {
	m, err := projections.Load(ctx, store, projections.Options{Partnerships: []string{partnership}})
	if err != nil {
		return Source{}, fmt.Errorf("load read models: %w", err)
	}
	// The log is read after the models, so it holds at least every event they do.
	l := audit.NewLog(store, key)
	if _, err := l.CatchUp(ctx); err != nil {
		return Source{}, fmt.Errorf("load audit log: %w", err)
	}
	return Source{Events: store, Models: m, Log: l}, nil
}
