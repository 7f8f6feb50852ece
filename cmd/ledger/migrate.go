package main

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
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
	head, err := src.Head(ctx)
	if err != nil {
		return fmt.Errorf("migrate: read the source's head: %w", err)
	}
	// Up to the head the source had when the migration began, in both of the copy's readings.
	source := func() iter.Seq2[eventstore.Event, error] {
		if head.Seq == 0 {
			return func(func(eventstore.Event, error) bool) {}
		}
		return src.ReadAll(ctx, 0, eventstore.Forward, int(head.Seq))
	}
	prog := a.copyProgress()
	rep, err := audit.Copy(ctx, dst, source, audit.CopyOptions{Progress: prog.update, Total: head.Seq})
	prog.done()
	if err != nil {
		removed := dst.Discard() // a target this migration created goes with it
		return copyError("migrate", fmt.Sprintf("the copy of %s to %s", *from, *to), rep, err, removed)
	}
	sayLine(a.stdout, "migrated %s from %s to %s; the target verifies: head seq %d, hash %s",
		copied(rep), *from, *to, rep.Head.Seq, rep.Head.Hash)
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
