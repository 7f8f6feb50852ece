package audit

import (
	"context"
	"fmt"
	"iter"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// CopyPhase names a part of Copy, for its progress callback.
type CopyPhase string

// The phases of Copy, in order.
const (
	PhaseCheck  CopyPhase = "checking the source"  // the source is read and verified; nothing is written yet
	PhaseCopy   CopyPhase = "copying"              // the events are appended to the target
	PhaseVerify CopyPhase = "verifying the target" // the target is read back and verified
)

// DefaultCopyBytes caps the events of one append of a copy into a store without a limit of its own
// (bbolt, memstore; see eventstore.AppendLimiter), in bytes of data and sources: it bounds the memory
// one append holds. An event larger than it goes alone.
const DefaultCopyBytes = 4 << 20

// copyRunEvents bounds the events of one append of a copy: a durable store syncs once per append.
const copyRunEvents = 512

// copyBatchAppends and copyBatchBytes bound the appends one AppendBatch of a copy carries (into a
// store that takes batches, eventstore.BatchAppender), and their size by the copy's measure.
const (
	copyBatchAppends = 4096
	copyBatchBytes   = 16 << 20
)

// copyProgressEvery is how many events pass between two progress calls while copying.
const copyProgressEvery = 1 << 12

// CopyOptions tune Copy.
type CopyOptions struct {
	// Progress, if not nil, is called as the copy advances: the phase, the events done in it so far,
	// and total, the events of the source (CopyOptions.Total until the check has counted them; 0
	// when unknown).
	Progress func(phase CopyPhase, done, total uint64)
	// Total is how many events the source holds, if known before it is read (a store's head); 0
	// when unknown (an export file). Only progress uses it.
	Total uint64
}

// CopyReport is what Copy did.
type CopyReport struct {
	// Report is the verification of the source: its events and streams, and the Merkle tree over
	// them (Size, Root). The target ends with the same tree.
	Report
	// Resumed is how many events the target held before the copy: the source's first events, each
	// the same, which were not written again (0 for an empty target).
	Resumed uint64
	// Copied is how many events were appended, in Appends appends.
	Copied  uint64
	Appends int
	// Head is the target's head after the copy.
	Head eventstore.Head
}

// EventTooLargeError reports an event of a copy's source that no store takes (Whole: over the cap on
// a whole event, eventstore.MaxEventBytes, as eventstore.Size counts it), or that the target cannot
// take even in an append of its own: larger, as the target stores it, than the target's maximum
// append size (eventstore.AppendLimiter). Copy finds it before it writes anything. It matches
// eventstore.ErrTooLarge and eventstore.ErrInvalidEvent.
type EventTooLargeError struct {
	Seq    uint64
	ID     uuid.UUID
	Stream string
	Bytes  int  // the event's size as the target counts it (Whole: eventstore.Size)
	Limit  int  // the target's maximum append size (Whole: eventstore.MaxEventBytes)
	Whole  bool // over the cap on a whole event rather than the target's append size
}

// Error names the event, its size and the limit.
func (e *EventTooLargeError) Error() string {
	if e.Whole {
		return fmt.Sprintf("event seq %d (id %s, stream %s) is %d bytes with its data and sources, over the ledger's limit on a whole event of %d bytes, "+
			"so no store takes it", e.Seq, e.ID, e.Stream, e.Bytes, e.Limit)
	}
	return fmt.Sprintf("event seq %d (id %s, stream %s) is %d bytes as the target stores it, over the target's maximum append size of %d bytes, "+
		"so the target cannot hold it (KurrentDB: raise the server's MaxAppendSize)", e.Seq, e.ID, e.Stream, e.Bytes, e.Limit)
}

// Is makes an *EventTooLargeError match eventstore.ErrTooLarge and eventstore.ErrInvalidEvent.
func (e *EventTooLargeError) Is(target error) bool {
	return target == eventstore.ErrTooLarge || target == eventstore.ErrInvalidEvent
}

// Copy copies a ledger, the events src yields in seq order, into dst, keeping every id, revision,
// recorded_at and hash, and so every seq, chain and the Merkle tree. It is the one copy behind Import
// (ledger import) and `ledger migrate`. src is called twice and must yield the same events each
// time (an export file rewound, a store read up to the head it had when the copy began).
//
//  1. Check (PhaseCheck): src is read and verified as VerifyEvents does, every event must be within
//     the cap on a whole event (eventstore.MaxEventBytes), and, when dst limits the
//     size of an append (eventstore.AppendLimiter), every event must fit in one append alone. dst
//     must be empty or hold exactly the source's first events (the same hash at each seq): a copy
//     that stopped part-way is resumed, and a second copy of the same ledger writes nothing.
//     Nothing is written before all of this holds.
//  2. Copy (PhaseCopy): each run of consecutive events of one stream is appended with the exact
//     expectation (NoStream for revision 0), in appends of at most 512 events and at most the
//     target's maximum append size (DefaultCopyBytes of data and sources for a store without one),
//     and each stored event must come back with the source's seq, id, revision, recorded_at and
//     hashes; the second reading of src must give the hashes the first verified. A target that
//     takes batches (eventstore.BatchAppender, bbolt) gets up to 4096 appends (16 MiB) at once.
//  3. Verify (PhaseVerify): dst is read back and verified (VerifyStore), and its Merkle tree must be
//     the source's.
//
// Errors: a *NotEmptyError (ErrStoreNotEmpty) for a target holding other events; a *BadEvent (ErrTampered) when the
// source does not verify and *EventTooLargeError when an event cannot fit (nothing written in
// either case); a *MismatchError (ErrTampered) when dst stores an event differently, and
// ErrTampered when src changes between its readings or the target does not verify (dst then holds
// the events appended so far); src's and dst's own errors. Another writer must not append to dst
// during a copy.
func Copy(ctx context.Context, dst eventstore.Store, src func() iter.Seq2[eventstore.Event, error], opts CopyOptions) (CopyReport, error) {
	var out CopyReport
	total := opts.Total
	progress := func(phase CopyPhase) func(uint64) {
		if opts.Progress == nil {
			return nil
		}
		return func(done uint64) { opts.Progress(phase, done, total) }
	}
	target, err := dst.Head(ctx)
	if err != nil {
		return out, fmt.Errorf("read the target's head: %w", err)
	}

	// 1. Check the source, remembering each event's hash.
	limit := 0
	limiter, ok := dst.(eventstore.AppendLimiter)
	if ok {
		limit = limiter.MaxAppendBytes()
	}
	hashes := make([]Hash, 0, min(total, maxReserve))
	checking := func(yield func(eventstore.Event, error) bool) {
		for e, err := range src() {
			if err == nil && eventstore.CheckSize(e) != nil {
				yield(eventstore.Event{}, &EventTooLargeError{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Bytes: eventstore.Size(e), Limit: eventstore.MaxEventBytes, Whole: true})
				return
			}
			if err == nil && limit > 0 {
				if n := limiter.AppendBytes(e); n > limit {
					yield(eventstore.Event{}, &EventTooLargeError{Seq: e.Seq, ID: e.ID, Stream: e.Stream, Bytes: n, Limit: limit})
					return
				}
			}
			if err == nil {
				hashes = append(hashes, e.Hash)
			}
			if !yield(e, err) {
				return
			}
		}
	}
	out.Report, err = VerifyEvents(ctx, checking, progress(PhaseCheck))
	if err != nil {
		return out, err
	}
	if !out.Intact {
		return out, fmt.Errorf("the source does not verify: %w", out.FirstBad)
	}
	total = out.Events

	// The target holds nothing, or the source's first events.
	if target.Seq > 0 {
		if err := holdsPrefix(ctx, dst, target.Seq, hashes); err != nil {
			return out, err
		}
		out.Resumed = target.Seq
	}

	// 2. Copy.
	capBytes, size := DefaultCopyBytes, func(e eventstore.Event) int { return len(e.Data) + len(e.Sources) }
	if limit > 0 {
		capBytes, size = limit, limiter.AppendBytes
	}
	copying := progress(PhaseCopy)
	batcher, _ := dst.(eventstore.BatchAppender)
	var (
		run          []eventstore.Event        // consecutive events of one stream: one append
		runBytes     int                       // their size, by size
		pending      []eventstore.StreamAppend // runs not yet appended (a batch, for a BatchAppender)
		pendingBytes int
	)
	// check holds what the target stored for the append of want against it.
	check := func(want, stored []eventstore.Event) error {
		if len(stored) != len(want) {
			return fmt.Errorf("copy seq %d (%s): the target returned %d events for %d", want[0].Seq, want[0].Stream, len(stored), len(want))
		}
		for i := range want {
			if err := sameStored(want[i], stored[i]); err != nil {
				return err
			}
		}
		out.Copied += uint64(len(want))
		out.Appends++
		return nil
	}
	// appendPending appends the pending runs: in one AppendBatch when the target takes batches,
	// else one Append each.
	appendPending := func() error {
		defer func() { pending, pendingBytes = pending[:0], 0 }()
		if batcher != nil && len(pending) > 1 {
			stored, err := batcher.AppendBatch(ctx, pending)
			for i := range stored {
				if cerr := check(pending[i].Events, stored[i]); cerr != nil {
					return cerr
				}
			}
			if err != nil {
				failed := pending[min(len(stored), len(pending)-1)].Events[0]
				return fmt.Errorf("copy seq %d (%s): %w", failed.Seq, failed.Stream, err)
			}
			return nil
		}
		for _, a := range pending {
			stored, err := dst.Append(ctx, a.Stream, a.Expected, a.Events...)
			if err != nil {
				return fmt.Errorf("copy seq %d (%s): %w", a.Events[0].Seq, a.Stream, err)
			}
			if err := check(a.Events, stored); err != nil {
				return err
			}
		}
		return nil
	}
	// flush ends the current run: it joins the pending runs, which are appended when they are many
	// or large enough (at once when the target takes one append at a time).
	flush := func() error {
		if len(run) > 0 {
			expected := eventstore.NoStream
			if rev := run[0].Revision; rev > 0 {
				expected = eventstore.Exact(rev - 1)
			}
			pending = append(pending, eventstore.StreamAppend{Stream: run[0].Stream, Expected: expected, Events: run})
			pendingBytes += runBytes
			run, runBytes = nil, 0
		}
		if batcher == nil || len(pending) >= copyBatchAppends || pendingBytes >= copyBatchBytes {
			return appendPending()
		}
		return nil
	}
	var n uint64
	for e, err := range src() {
		if err != nil {
			return out, err
		}
		if n >= uint64(len(hashes)) || hashes[n] != e.Hash {
			return out, fmt.Errorf("%w: the source changed while it was copied (at seq %d)", ErrTampered, e.Seq)
		}
		n++
		if n <= out.Resumed {
			continue
		}
		sz := size(e)
		if len(run) > 0 && (run[0].Stream != e.Stream || len(run) == copyRunEvents || runBytes+sz > capBytes) {
			if err := flush(); err != nil {
				return out, err
			}
		}
		run = append(run, e)
		runBytes += sz
		if copying != nil && n%copyProgressEvery == 0 {
			copying(n)
		}
	}
	if err := flush(); err != nil {
		return out, err
	}
	if err := appendPending(); err != nil {
		return out, err
	}
	if n != uint64(len(hashes)) {
		return out, fmt.Errorf("%w: the source changed while it was copied (%d events, %d verified)", ErrTampered, n, len(hashes))
	}
	if copying != nil {
		copying(n)
	}

	// 3. Read the target back: the copy is only as good as what the target now answers.
	got, err := VerifyStore(ctx, dst, VerifyOptions{Progress: progress(PhaseVerify)})
	if err != nil {
		return out, fmt.Errorf("verify the target: %w", err)
	}
	switch {
	case !got.Intact && got.FirstBad != nil:
		return out, fmt.Errorf("verify the target: %w", got.FirstBad)
	case !got.Intact:
		return out, fmt.Errorf("verify the target: %w: it does not verify", ErrTampered)
	case got.Events != out.Events || got.Root != out.Root:
		return out, fmt.Errorf("verify the target: %w: it holds %d events with Merkle root %s; the source %d with root %s",
			ErrTampered, got.Events, got.Root, out.Events, out.Root)
	}
	if out.Head, err = dst.Head(ctx); err != nil {
		return out, fmt.Errorf("verify the target: %w", err)
	}
	return out, nil
}

// NotEmptyError reports a copy's target that holds events other than the source's first ones. It
// matches ErrStoreNotEmpty. Nothing was written.
type NotEmptyError struct {
	Holds  uint64 // events the target holds
	Source uint64 // events of the source
	Seq    uint64 // the first seq at which the target holds another event; 0 when it holds more than the source
}

// Error says what the target holds.
func (e *NotEmptyError) Error() string {
	if e.Seq == 0 {
		return fmt.Sprintf("the target store is not empty: it holds %d events, more than the %d of the source; copy into a new, empty store", e.Holds, e.Source)
	}
	return fmt.Sprintf("the target store is not empty: it holds %d events, and its seq %d is not the source's; copy into a new, empty store", e.Holds, e.Seq)
}

// Is makes a *NotEmptyError match ErrStoreNotEmpty.
func (e *NotEmptyError) Is(target error) bool { return target == ErrStoreNotEmpty }

// holdsPrefix checks that the first n events of dst are the source's, whose hashes are given, or
// returns a *NotEmptyError.
func holdsPrefix(ctx context.Context, dst eventstore.Store, n uint64, hashes []Hash) error {
	if n > uint64(len(hashes)) {
		return &NotEmptyError{Holds: n, Source: uint64(len(hashes))}
	}
	var seen uint64
	for e, err := range dst.ReadAll(ctx, 0, eventstore.Forward, int(n)) {
		if err != nil {
			return fmt.Errorf("read the target: %w", err)
		}
		seen++
		if e.Seq != seen || e.Hash != hashes[seen-1] {
			return &NotEmptyError{Holds: n, Source: uint64(len(hashes)), Seq: seen}
		}
	}
	if seen != n {
		return fmt.Errorf("read the target: it yielded %d events up to its head, seq %d", seen, n)
	}
	return nil
}

// sameStored checks that the target stored an event exactly as the source has it.
func sameStored(want, got eventstore.Event) error {
	fail := func(field string, w, g any) error {
		return &MismatchError{Seq: want.Seq, Field: field, Want: fmt.Sprint(w), Got: fmt.Sprint(g)}
	}
	switch {
	case got.Seq != want.Seq:
		return fail("seq", want.Seq, got.Seq)
	case got.ID != want.ID:
		return fail("id", want.ID, got.ID)
	case got.Revision != want.Revision:
		return fail("revision", want.Revision, got.Revision)
	case !got.RecordedAt.Equal(want.RecordedAt):
		return fail("recorded_at", want.RecordedAt, got.RecordedAt)
	case got.PrevHash != want.PrevHash:
		return fail("prev_hash", want.PrevHash, got.PrevHash)
	case got.Hash != want.Hash:
		return fail("hash", want.Hash, got.Hash)
	}
	return nil
}
