package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnership-ledger/ledger/eventstore"
)

// migrateRunEvents and migrateRunBytes bound one append of a migration: consecutive events of one
// stream go in one append, within KurrentDB's 1 MiB limit on an append's total size.
const (
	migrateRunEvents = 512
	migrateRunBytes  = 768 << 10
)

// cmdMigrate copies a ledger from one store to another, in seq order, keeping ids, revisions,
// recorded_at and hashes, and so seq and order; then verifies the target.
func cmdMigrate(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate")
	from := fs.String("from", "", "the store to copy from (default: --store)")
	to := fs.String("to", "", "the store to copy into; it must be empty (bolt:FILE or esdb://host:2113?tls=false)")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("migrate: unexpected argument %q (run 'ledger help migrate')", pos[0])
	}
	if *from == "" {
		*from = a.store
	}
	if *to == "" {
		return usageErrorf("migrate: --to is required, e.g. ledger migrate --from bolt:ledger.db --to 'esdb://localhost:2113?tls=false'")
	}
	if *from == *to {
		return usageErrorf("migrate: --from and --to are the same store (%s)", *from)
	}
	src, err := a.openExistingStore(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := a.openForWrite(ctx, *to, false) // no key is made beside the target: the source's key must sign its heads
	if err != nil {
		return err
	}
	defer dst.Close()
	rep, err := migrate(ctx, src, dst, a.newProgress("migrating", 0), a.newProgress("verifying the target", 0))
	if err != nil {
		dst.Discard() // a target this migration created goes with it
		return fmt.Errorf("migrate %s → %s: %w", *from, *to, err)
	}
	fmt.Fprintf(a.stdout, "migrated %d events in %d streams from %s to %s; the target verifies: head seq %d, hash %s\n",
		rep.events, rep.streams, *from, *to, rep.head.Seq, rep.head.Hash)
	fmt.Fprintln(a.stdout, keyAdvice(a.keyFile, *from, *to))
	return nil
}

// keyAdvice says what to do with the tree-signing key after a migration: it is not part of a store,
// and tree heads of the target verify under the key auditors pinned only if they are signed with it.
func keyAdvice(keyFile, from, to string) string {
	isBolt := func(spec string) bool { return !strings.Contains(spec, "://") }
	key := keyFile
	if key == "" && isBolt(from) {
		key = keyBeside(from)
	}
	switch {
	case key == "":
		return "the tree-signing key is not part of a store: run the target with the --key-file the source's servers use"
	case isBolt(to) && keyFile == "" && keyBeside(to) != key:
		return fmt.Sprintf("the tree-signing key is not part of a store: copy %s to %s (or run the target with --key-file %s) so its tree heads verify under the key auditors pinned", key, keyBeside(to), key)
	default:
		return fmt.Sprintf("the tree-signing key is not part of a store: run every server of the target with --key-file %s", key)
	}
}

// migrateReport is what a migration copied.
type migrateReport struct {
	events  uint64
	streams int
	head    eventstore.Head
}

// migrate copies every event of src, up to its head when the copy starts, into the empty store dst,
// then reads dst back and checks it event by event: the same ids, seq, revisions and hashes in the
// same order, every chain verifying (eventstore.ChainVerifier). copying and verifying report progress.
func migrate(ctx context.Context, src, dst eventstore.Store, copying, verifying *progress) (migrateReport, error) {
	var rep migrateReport
	target, err := dst.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("read the target's head: %w", err)
	}
	if target.Seq != 0 {
		return rep, usageErrorf("migrate: the target store is not empty (it holds %d events); migrate into a new, empty store", target.Seq)
	}
	head, err := src.Head(ctx)
	if err != nil {
		return rep, fmt.Errorf("read the source's head: %w", err)
	}
	copying.total, verifying.total = head.Seq, head.Seq
	hashes := make([]eventstore.Hash, 0, head.Seq) // the source's hash at each seq, to check the copy
	streams := map[string]bool{}

	var run []eventstore.Event // consecutive events of one stream
	runBytes := 0
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		expected := eventstore.NoStream
		if rev := run[0].Revision; rev > 0 {
			expected = eventstore.Exact(rev - 1)
		}
		stored, err := dst.Append(ctx, run[0].Stream, expected, run...)
		if err != nil {
			return fmt.Errorf("copy seq %d (%s): %w", run[0].Seq, run[0].Stream, err)
		}
		if len(stored) != len(run) {
			return fmt.Errorf("copy seq %d: the target returned %d events for %d", run[0].Seq, len(stored), len(run))
		}
		for i, want := range run {
			if err := sameCopy(want, stored[i]); err != nil {
				return err
			}
		}
		run, runBytes = run[:0], 0
		return nil
	}
	for e, err := range src.ReadAll(ctx, 0, eventstore.Forward, int(head.Seq)) {
		if err != nil {
			return rep, fmt.Errorf("read the source: %w", err)
		}
		size := len(e.Data) + len(e.Sources) + 1024
		if len(run) > 0 && (run[0].Stream != e.Stream || len(run) == migrateRunEvents || runBytes+size > migrateRunBytes) {
			if err := flush(); err != nil {
				return rep, err
			}
		}
		run = append(run, e)
		runBytes += size
		hashes = append(hashes, e.Hash)
		streams[e.Stream] = true
		copying.Update(uint64(len(hashes)))
	}
	if err := flush(); err != nil {
		return rep, err
	}
	copying.Done(uint64(len(hashes)))
	if uint64(len(hashes)) != head.Seq {
		return rep, fmt.Errorf("the source yielded %d events, but its head is seq %d", len(hashes), head.Seq)
	}

	// Read the target back: the copy is only as good as what the target now answers.
	var v eventstore.ChainVerifier
	for e, err := range dst.ReadAll(ctx, 0, eventstore.Forward, 0) {
		if err != nil {
			return rep, fmt.Errorf("verify the target: %w", err)
		}
		if err := v.Add(e); err != nil {
			return rep, fmt.Errorf("verify the target: %w", err)
		}
		if e.Seq > uint64(len(hashes)) || hashes[e.Seq-1] != e.Hash {
			return rep, fmt.Errorf("verify the target: seq %d (%s) is not the source's event", e.Seq, e.ID)
		}
		verifying.Update(v.Count())
	}
	verifying.Done(v.Count())
	if v.Count() != head.Seq {
		return rep, fmt.Errorf("verify the target: it holds %d events, the source %d", v.Count(), head.Seq)
	}
	if rep.head, err = dst.Head(ctx); err != nil {
		return rep, fmt.Errorf("verify the target: %w", err)
	}
	if rep.head.Seq != head.Seq || rep.head.Hash != head.Hash || !rep.head.RecordedAt.Equal(head.RecordedAt) {
		return rep, fmt.Errorf("verify the target: its head %+v differs from the source's %+v", rep.head, head)
	}
	rep.events, rep.streams = v.Count(), len(streams)
	return rep, nil
}

// sameCopy checks that the target stored an event exactly as the source has it.
func sameCopy(want, got eventstore.Event) error {
	if got.ID != want.ID || got.Seq != want.Seq || got.Revision != want.Revision || got.Hash != want.Hash ||
		!got.RecordedAt.Equal(want.RecordedAt) {
		return fmt.Errorf("copy seq %d (%s): the target stored id %s, seq %d, revision %d, hash %s; want %s, %d, %d, %s",
			want.Seq, want.Stream, got.ID, got.Seq, got.Revision, got.Hash, want.ID, want.Seq, want.Revision, want.Hash)
	}
	return nil
}
