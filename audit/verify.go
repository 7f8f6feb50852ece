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
	head, err := store.Head(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify: %w", err)
	}
	rep, err := verifyEvents(ctx, store.ReadAll(ctx, 0, eventstore.Forward, 0), head.Seq, progress)
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
// at the first bad event (the Report names it, the error is nil) or the first error the sequence
// yields (the Report then describes the events verified before it, and Intact is false).
func VerifyEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], progress func(done uint64)) (Report, error) {
	return verifyEvents(ctx, events, 0, progress)
}

// leafBatch carries events from the chain check to the tree builder.
type leafBatch struct {
	firstSeq uint64
	hashes   []Hash
	ids      []uuid.UUID
	streams  []string
}

const leafBatchSize = 4096

// verifyEvents runs the chain check on the calling goroutine and the tree and id bookkeeping on
// another, so the two halves of the work share the machine's cores. hint is the expected count.
func verifyEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], hint uint64, progress func(done uint64)) (Report, error) {
	hint = min(hint, maxReserve) // a hint is only a hint: beyond this, grow as needed
	tree := NewTree(int(hint))
	batches := make(chan leafBatch, 8)
	var dup *BadEvent // written by the builder, read after it is done
	built := make(chan struct{})
	go func() {
		defer close(built)
		ids := make(map[uuid.UUID]uint64, hint)
		for b := range batches {
			if dup == nil {
				for i, id := range b.ids {
					seq := b.firstSeq + uint64(i)
					if first, seen := ids[id]; seen {
						dup = &BadEvent{Seq: seq, ID: id, Stream: b.streams[i], Field: "id",
							Want: "an id not used before", Got: fmt.Sprintf("the id of seq %d", first)}
						break
					}
					ids[id] = seq
				}
			}
			tree.AppendAll(b.hashes)
		}
	}()

	var (
		v   eventstore.ChainVerifier
		rep Report
		cur leafBatch
	)
	newBatch := func(next uint64) leafBatch {
		return leafBatch{firstSeq: next, hashes: make([]Hash, 0, leafBatchSize),
			ids: make([]uuid.UUID, 0, leafBatchSize), streams: make([]string, 0, leafBatchSize)}
	}
	cur = newBatch(1)
	var readErr error
	for e, err := range events {
		if err != nil {
			readErr = err
			break
		}
		if err := v.Add(e); err != nil {
			var ce *eventstore.ChainError
			if !errors.As(err, &ce) {
				readErr = err
				break
			}
			rep.FirstBad = &BadEvent{Seq: ce.Seq, ID: ce.ID, Stream: ce.Stream, Field: ce.Field, Want: ce.Want, Got: ce.Got}
			break
		}
		cur.hashes = append(cur.hashes, e.Hash)
		cur.ids = append(cur.ids, e.ID)
		cur.streams = append(cur.streams, e.Stream)
		if len(cur.hashes) == leafBatchSize {
			batches <- cur
			cur = newBatch(e.Seq + 1)
		}
		if e.Seq%progressEvery == 0 {
			if progress != nil {
				progress(e.Seq)
			}
			if err := ctx.Err(); err != nil {
				readErr = err
				break
			}
		}
	}
	batches <- cur
	close(batches)
	<-built

	rep.Events, rep.Streams = v.Count(), v.Streams()
	if dup != nil && (rep.FirstBad == nil || dup.Seq < rep.FirstBad.Seq) {
		rep.FirstBad, rep.Events = dup, dup.Seq-1
	}
	rep.Size = rep.Events
	rep.Root, _ = tree.Root(rep.Size) // the tree holds at least Events leaves
	rep.Intact = rep.FirstBad == nil && readErr == nil
	if progress != nil {
		progress(rep.Events)
	}
	return rep, readErr
}

// maxReserve caps how many events are allocated for up front from a store's head (a few hundred MB).
const maxReserve = 1 << 22
