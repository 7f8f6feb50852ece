package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Report is the outcome of verifying a whole ledger or export file.
//
// When Intact, Size and Root describe the Merkle tree over every event. Otherwise FirstBad names the
// first event that does not verify, and Size and Root describe the tree over the events before it (the
// part of the ledger that still stands).
type Report struct {
	Intact   bool      `json:"intact"`
	Events   uint64    `json:"events"` // events that verified
	Streams  int       `json:"streams"`
	Size     uint64    `json:"size"`
	Root     Hash      `json:"root"`
	FirstBad *BadEvent `json:"first_bad,omitempty"`
}

// BadEvent names the first event that does not verify and what is wrong with it.
type BadEvent struct {
	Seq    uint64    `json:"seq"`
	ID     uuid.UUID `json:"id"`
	Stream string    `json:"stream"`
	Field  string    `json:"field"` // "seq", "revision", "prev_hash", "hash" or "id" (an id seen before)
	Want   string    `json:"want"`
	Got    string    `json:"got"`
}

// Error describes the bad event; a *BadEvent matches ErrTampered and eventstore.ErrCorrupt.
func (b *BadEvent) Error() string {
	return fmt.Sprintf("event seq %d (id %s, stream %s): %s is %s, want %s", b.Seq, b.ID, b.Stream, b.Field, b.Got, b.Want)
}

// Is makes a *BadEvent match ErrTampered and eventstore.ErrCorrupt.
func (b *BadEvent) Is(target error) bool {
	return target == ErrTampered || target == eventstore.ErrCorrupt
}

// progressEvery is how many events pass between two progress calls.
const progressEvery = 1 << 14

// Verify reads a store's global log in seq order and checks every event: seq contiguous from 1, each
// stream's revisions and prev_hash chain, every hash recomputed from the stored fields
// (eventstore.ChainVerifier), and ids never reused; it builds the Merkle tree as it goes. progress, if
// not nil, is called every few thousand events and at the end with the count verified so far.
//
// A tampered ledger is not an error: the Report says so. The error is for a log that cannot be read
// (or ctx ending).
func Verify(ctx context.Context, store eventstore.Store, progress func(done uint64)) (Report, error) {
	rep, err := VerifyEvents(ctx, store.ReadAll(ctx, 0, eventstore.Forward, 0), progress)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	return rep, nil
}

// VerifyExport verifies an export file (see Export) without a store, as Verify does. A line that is not
// a JSON event envelope is an error matching ErrBadExport.
func VerifyExport(ctx context.Context, r io.Reader, progress func(done uint64)) (Report, error) {
	rep, err := VerifyEvents(ctx, ReadExport(r), progress)
	if err != nil {
		return rep, fmt.Errorf("verify export: %w", err)
	}
	return rep, nil
}

// VerifyEvents verifies events given in seq order, as Verify does, and returns the report. It stops
// at the first bad event (the Report names it, the error is nil) or the first error the sequence yields.
func VerifyEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], progress func(done uint64)) (Report, error) {
	var (
		v    eventstore.ChainVerifier
		tree = NewTree(0)
		ids  = make(map[uuid.UUID]uint64)
		rep  Report
		// Hashes go to the tree in batches, under one lock each.
		batch = make([]Hash, 0, 1024)
	)
	flush := func() {
		tree.AppendAll(batch)
		batch = batch[:0]
	}
	finish := func() Report {
		flush()
		rep.Events, rep.Streams = v.Count(), v.Streams()
		rep.Size = tree.Size()
		rep.Root, _ = tree.Root(rep.Size)
		rep.Intact = rep.FirstBad == nil
		if progress != nil {
			progress(rep.Events)
		}
		return rep
	}
	for e, err := range events {
		if err != nil {
			return finish(), err
		}
		if err := v.Add(e); err != nil {
			var ce *eventstore.ChainError
			if !errors.As(err, &ce) {
				return finish(), err
			}
			rep.FirstBad = &BadEvent{Seq: ce.Seq, ID: ce.ID, Stream: ce.Stream, Field: ce.Field, Want: ce.Want, Got: ce.Got}
			return finish(), nil
		}
		if first, dup := ids[e.ID]; dup {
			rep.FirstBad = &BadEvent{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Field: "id",
				Want: "an id not used before", Got: fmt.Sprintf("the id of seq %d", first)}
			// ChainVerifier has already counted it: report the tree and counts before it.
			flush()
			rep.Events, rep.Streams = e.Seq-1, v.Streams()
			rep.Size = tree.Size()
			rep.Root, _ = tree.Root(rep.Size)
			if progress != nil {
				progress(rep.Events)
			}
			return rep, nil
		}
		ids[e.ID] = e.Seq
		batch = append(batch, e.Hash)
		if len(batch) == cap(batch) {
			flush()
		}
		if e.Seq%progressEvery == 0 {
			if progress != nil {
				progress(e.Seq)
			}
			if err := ctx.Err(); err != nil {
				return finish(), err
			}
		}
	}
	return finish(), nil
}
