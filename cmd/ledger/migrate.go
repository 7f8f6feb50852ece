package main

import (
	"context"
	"fmt"
	"iter"
	"os"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// cmdMigrate copies a ledger from one store to another, in seq order, keeping ids, revisions,
// recorded_at and hashes, and so seq and order; then verifies the target.
func cmdMigrate(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("migrate")
	from := fs.String("from", "", "the store to copy from (default: --store)")
	to := fs.String("to", "", "the store to copy into (bolt:FILE or esdb://host:2113?tls=false): empty, or holding the first events of this ledger (an interrupted migrate), which it completes")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
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
	sayLine(a.stdout, "%s", keyAdvice(a.copyKeyFiles(*from, *to)))
	return nil
}

// keyAdvice says what to do with the tree-signing key after a copy (import, migrate): it is part of
// neither a store nor an export, and tree heads of the target verify under the key auditors pinned
// only if they are signed with the source's key. Neither command creates a key (one made for the
// target would sign heads no auditor's pin verifies), so the advice names the file to copy and where.
// srcKey is the source's key file ("" when unknown: an export file); dstKey the file the target's
// commands and servers will read ("" for KurrentDB without --key-file).
func keyAdvice(srcKey, dstKey string) string {
	const lead = "the tree-signing key is not part of a store or an export, and no key was created: "
	source := "the source ledger's key file"
	if srcKey != "" {
		source = srcKey
	}
	_, err := os.Stat(dstKey)
	switch {
	case dstKey == "":
		return lead + fmt.Sprintf("run every server of the target with --key-file naming a copy of %s, so its tree heads verify under the key auditors pinned", source)
	case err != nil:
		return lead + fmt.Sprintf("copy %s to %s, so the target's tree heads verify under the key auditors pinned", source, dstKey)
	case srcKey == dstKey:
		return lead + fmt.Sprintf("the target's tree heads are signed with %s, the source's key", dstKey)
	default:
		return lead + fmt.Sprintf("the target's tree heads will be signed with the key in %s: it must be a copy of %s, or they will not verify under the key auditors pinned", dstKey, source)
	}
}

// copyKeyFiles returns the key files keyAdvice compares for a copy from source to target: the
// source's (beside a bolt source, else --key-file; "" for an export file, from == "") and the
// target's (--key-file, else beside a bolt target; "" for KurrentDB without --key-file).
func (a *app) copyKeyFiles(from, to string) (srcKey, dstKey string) {
	isBolt := func(spec string) bool { return !strings.Contains(spec, "://") }
	switch {
	case from != "" && isBolt(from):
		srcKey = keyBeside(from)
	case from != "":
		srcKey = a.keyFile
	}
	switch {
	case a.keyFile != "":
		dstKey = a.keyFile
	case isBolt(to):
		dstKey = keyBeside(to)
	}
	return srcKey, dstKey
}
