package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Report is the outcome of verifying a whole ledger or export file.
//
// When Intact, Size and Root describe the Merkle tree over every event. Otherwise FirstBad names the
// first event that does not verify, and Size and Root describe the tree over the events before it (the
// part of the ledger that still stands).
//
// BadHead, when set, names the first kept tree head (VerifyOptions.Heads) the ledger does not extend:
// events cut off its end, reordered or re-sealed since the head was signed. The events may all verify.
type Report struct {
	Intact         bool      `json:"intact"`
	Events         uint64    `json:"events"` // events that verified
	Streams        int       `json:"streams"`
	Size           uint64    `json:"size"`
	Root           Hash      `json:"root"`
	FirstBad       *BadEvent `json:"first_bad,omitempty"`
	HeadsKept      int       `json:"tree_heads_checked,omitempty"` // kept tree heads the ledger extends
	BadHead        *BadHead  `json:"bad_tree_head,omitempty"`
	IndexesChecked bool      `json:"indexes_checked,omitempty"` // the store's own indexes were held against the events
}

// BadHead names a kept tree head the ledger does not extend, and why.
type BadHead struct {
	Kind   string `json:"kind"` // "tree head" or "checkpoint"
	Size   uint64 `json:"size"`
	Root   Hash   `json:"root"`
	Reason string `json:"reason"`
}

func (b *BadHead) Error() string {
	return fmt.Sprintf("the ledger does not extend the kept %s of size %d (root %s): %s", b.Kind, b.Size, b.Root, b.Reason)
}

// BadEvent names the first event that does not verify and what is wrong with it.
type BadEvent struct {
	Seq    uint64    `json:"seq"`
	ID     uuid.UUID `json:"id"`
	Stream string    `json:"stream"`
	Field  string    `json:"field"` // "seq", "recorded_at", "revision", "prev_hash", "hash", "id" (an id seen before); "ids index", "revs index", "meta" (the store's own indexes)
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

// Verify verifies a store with no kept tree heads: VerifyStore with only progress set.
func Verify(ctx context.Context, store eventstore.Store, progress func(done uint64)) (Report, error) {
	return VerifyStore(ctx, store, VerifyOptions{Progress: progress})
}

// VerifyOptions are what VerifyStore checks beyond the events themselves.
type VerifyOptions struct {
	// Progress, if not nil, is called every few thousand events and at the end with the count so far.
	Progress func(done uint64)
	// Heads are signed tree heads or checkpoints kept from earlier; each must verify under Key, and
	// the ledger must extend each (CheckExtends). Only a kept head catches events cut off the end, two
	// events of different streams swapped, or a stream re-sealed forward after an edit: every hash
	// chain still verifies, only the Merkle root differs.
	Heads []SignedHead
	Key   PinnedKey
}

// VerifyStore reads a store's global log up to its head, in seq order, and checks every event: seq
// contiguous from 1, recorded_at never going back, each stream's revisions and prev_hash chain, every
// hash recomputed from the stored fields (eventstore.ChainVerifier), ids never reused, and the log
// ending at the head's seq; it builds the Merkle tree as it goes. When the store keeps indexes of its
// own (eventstore.IndexChecker, the bolt store), every index entry is held against the events. Then
// the ledger must extend each of opts.Heads.
//
// A tampered ledger is not an error: the Report says so. The error is for a log that cannot be read
// (a damaged store, or ctx ending).
func VerifyStore(ctx context.Context, store eventstore.Store, opts VerifyOptions) (Report, error) {
	head, err := store.Head(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify: %w", err)
	}
	checker, _ := store.(eventstore.IndexChecker)
	var facts []fact
	var finish func(func(uint64) eventstore.IndexedEvent) error
	if checker != nil {
		facts = make([]fact, 0, min(head.Seq, maxReserve))
		// The store reads its indexes while the events are verified.
		indexCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		finish = checker.StartIndexCheck(indexCtx, head.Seq)
		defer func() {
			if finish != nil { // not used: give up and wait for the store's reader
				cancel()
				finish(func(uint64) eventstore.IndexedEvent { return eventstore.IndexedEvent{} })
			}
		}()
	}
	var events iter.Seq2[eventstore.Event, error] = store.ReadAll(ctx, 0, eventstore.Forward, int(head.Seq))
	if head.Seq == 0 {
		events = func(func(eventstore.Event, error) bool) {}
	}
	rep, tree, err := verifyEvents(ctx, events, head.Seq, opts.Progress, &facts, checker != nil)
	if err != nil {
		return rep, fmt.Errorf("verify: %w", err)
	}
	if rep.Intact && rep.Events != head.Seq {
		rep.Intact = false
		rep.FirstBad = &BadEvent{Seq: rep.Events + 1, Field: "seq", Want: fmt.Sprintf("the log to run to seq %d (its head)", head.Seq),
			Got: fmt.Sprintf("the log ends at seq %d", rep.Events)}
	}
	if rep.Intact && finish != nil {
		check := finish
		finish = nil
		err := check(func(seq uint64) eventstore.IndexedEvent {
			f := facts[seq-1]
			return eventstore.IndexedEvent{ID: f.id, Stream: f.stream, Revision: f.rev, RecordedAt: time.Unix(0, f.rec).UTC()}
		})
		var ce *eventstore.ChainError
		switch {
		case errors.As(err, &ce):
			rep.Intact = false
			rep.FirstBad = &BadEvent{Seq: ce.Seq, ID: ce.ID, Stream: ce.Stream, Field: ce.Field, Want: ce.Want, Got: ce.Got}
		case err != nil:
			return rep, fmt.Errorf("verify: %w", err)
		default:
			rep.IndexesChecked = true
		}
	}
	checkHeads(&rep, tree, opts)
	return rep, nil
}

// checkHeads holds an intact report's ledger (tree) to each kept head of opts: the first it does not
// extend is rep.BadHead, and rep is no longer Intact.
func checkHeads(rep *Report, tree *Tree, opts VerifyOptions) {
	if !rep.Intact {
		return
	}
	for _, h := range opts.Heads {
		if err := CheckExtends(tree, h, opts.Key); err != nil {
			rep.Intact = false
			rep.BadHead = &BadHead{Kind: h.Kind(), Size: h.Size(), Root: h.Root(), Reason: err.Error()}
			return
		}
		rep.HeadsKept++
	}
}

// CheckExtends checks that the ledger whose Merkle tree is t extends the signed head h (a tree head
// or a checkpoint): h verifies under pin (SignedHead.Verify: ErrWrongKey, ErrBadSignature,
// ErrWrongOrigin), the ledger holds at least h's size of events, and the RFC 9162 consistency proof
// from h to the tree's full size verifies (ErrInvalidProof). It is the one check behind `ledger
// verify --tree-head` and `ledger check-consistency`; the messages name both sizes and roots.
func CheckExtends(t *Tree, h SignedHead, pin PinnedKey) error {
	if err := h.Verify(pin); err != nil {
		return err
	}
	return Extends(t, h)
}

// Extends is CheckExtends without the signature check, for a head whose signature is checked
// elsewhere or not at all (`ledger consistency-proof` refuses to prove from a head the ledger does
// not extend): ErrInvalidProof, naming both sizes and roots, when the ledger does not extend h.
func Extends(t *Tree, h SignedHead) error {
	n := t.Size()
	root, err := t.Root(n)
	if err != nil {
		return err
	}
	if h.Size() > n {
		return fmt.Errorf("%w: the ledger holds %d events (root %s), fewer than the %d the %s was signed over (root %s): events were cut off its end, or the %s is another ledger's",
			ErrInvalidProof, n, root, h.Size(), h.Kind(), h.Root(), h.Kind())
	}
	proof, err := t.ConsistencyProof(h.Size(), n)
	if err != nil {
		return err
	}
	if err := VerifyConsistency(h.Size(), n, h.Root(), root, proof); err != nil {
		at, _ := t.Root(h.Size())
		return fmt.Errorf("%w: the first %d events are not the ones the %s was signed over (removed, reordered or rewritten): their root is %s, the %s's %s",
			err, h.Size(), h.Kind(), at, h.Kind(), h.Root())
	}
	return nil
}

// fact is what the index check needs of one verified event.
type fact struct {
	id     uuid.UUID
	stream string
	rev    uint64
	rec    int64
}

// VerifyExport verifies an export file (see Export, Salvage) without a store, as VerifyStore does,
// events and then opts.Heads: an auditor holding an export checks it against the heads they kept. A
// line that is not a JSON event envelope is an error matching ErrBadExport.
func VerifyExport(ctx context.Context, r io.Reader, opts VerifyOptions) (Report, error) {
	rep, _, err := VerifyLog(ctx, ReadExport(r), opts)
	if err != nil {
		return rep, fmt.Errorf("verify export: %w", err)
	}
	return rep, nil
}

// VerifyLog verifies a ledger's events given in seq order from outside a store (an export file, the
// pages a server sends), as VerifyStore does a store's, then opts.Heads. It also returns the Merkle
// tree over the events that verified, for the caller to hold to a tree head signed by the events'
// source (CheckExtends): `ledger verify --server` checks what it downloads that way. The error is the
// first one events yields (the Report then describes the events verified before it).
func VerifyLog(ctx context.Context, events iter.Seq2[eventstore.Event, error], opts VerifyOptions) (Report, *Tree, error) {
	rep, tree, err := verifyEvents(ctx, events, 0, opts.Progress, nil, false)
	if err != nil {
		return rep, tree, err
	}
	checkHeads(&rep, tree, opts)
	return rep, tree, nil
}

// VerifyEvents verifies events given in seq order, as Verify does, and returns the report. It stops
// at the first bad event (the Report names it, the error is nil) or the first error the sequence
// yields (the Report then describes the events verified before it, and Intact is false).
func VerifyEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], progress func(done uint64)) (Report, error) {
	rep, _, err := verifyEvents(ctx, events, 0, progress, nil, false)
	return rep, err
}

// leafBatch carries events from the chain check to the tree builder.
type leafBatch struct {
	firstSeq uint64
	hashes   []Hash
	ids      []uuid.UUID
	streams  []string
	revs     []uint64
	recs     []int64
}

const leafBatchSize = 4096

// verifyEvents runs the chain check on the calling goroutine and the tree and id bookkeeping on
// another, so the two halves of the work share the machine's cores. hint is the expected count. With
// keep, the builder appends each verified event's fact to *facts (streams interned).
func verifyEvents(ctx context.Context, events iter.Seq2[eventstore.Event, error], hint uint64, progress func(done uint64),
	facts *[]fact, keep bool) (Report, *Tree, error) {
	hint = min(hint, maxReserve) // a hint is only a hint: beyond this, grow as needed
	tree := NewTree(int(hint))
	batches := make(chan leafBatch, 8)
	var dup *BadEvent // written by the builder, read after it is done
	built := make(chan struct{})
	go func() {
		defer close(built)
		ids := make(map[uuid.UUID]uint64, hint)
		names := map[string]string{}
		for b := range batches {
			if keep {
				for i, id := range b.ids {
					name, ok := names[b.streams[i]]
					if !ok {
						name = b.streams[i]
						names[name] = name
					}
					*facts = append(*facts, fact{id: id, stream: name, rev: b.revs[i], rec: b.recs[i]})
				}
			}
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
		b := leafBatch{firstSeq: next, hashes: make([]Hash, 0, leafBatchSize),
			ids: make([]uuid.UUID, 0, leafBatchSize), streams: make([]string, 0, leafBatchSize)}
		if keep {
			b.revs, b.recs = make([]uint64, 0, leafBatchSize), make([]int64, 0, leafBatchSize)
		}
		return b
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
		if keep {
			cur.revs = append(cur.revs, e.Revision)
			cur.recs = append(cur.recs, e.RecordedAt.UnixNano())
		}
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
	return rep, tree, readErr
}

// maxReserve caps how many events are allocated for up front from a store's head (a few hundred MB).
const maxReserve = 1 << 22
