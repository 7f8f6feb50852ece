package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

func cmdVerify(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	file := fs.String("file", "", "verify an export file (JSON Lines) instead of a store")
	var heads stringList
	fs.Var(&heads, "tree-head", "a signed tree head or checkpoint kept earlier (from 'ledger tree-head' or 'ledger checkpoint'); the ledger must extend it (repeatable; needs --key)")
	keyText := fs.String("key", "", "the ledger's public key or note verifier key, as printed by 'ledger key': --tree-head files must be signed by it; with --server (required) the server's tree head too, and what it sends is checked against it")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	var opts audit.VerifyOptions
	if len(heads) > 0 || *keyText != "" {
		var err error
		if opts.Key, err = parseKeyFlag("verify", *keyText); err != nil {
			return err
		}
		for _, h := range heads {
			th, err := readKeptHead("verify", h, opts.Key)
			if err != nil {
				return err
			}
			opts.Heads = append(opts.Heads, th)
		}
	}
	var rep audit.Report
	if *file != "" {
		if opts.Key.Public != nil && len(opts.Heads) == 0 {
			return usageErrorf("verify: --key checks kept tree heads: give them with --tree-head FILE")
		}
		f, err := os.Open(*file)
		if err != nil {
			return usageErrorf("verify: %v", err)
		}
		defer f.Close()
		p := a.newProgress("verifying "+*file, 0)
		opts.Progress = p.Update
		rep, err = audit.VerifyExport(ctx, f, opts)
		if errors.Is(err, audit.ErrBadExport) {
			return usageErrorf("verify: %s: %s", *file, fault.Message(err)) // a malformed file is bad input, as for import
		}
		if err != nil {
			return fmt.Errorf("verify %s: %w", *file, err)
		}
		p.Done(rep.Events)
	} else {
		src, err := a.source()
		if err != nil {
			return err
		}
		defer src.Close()
		if rep, err = src.Verify(ctx, opts); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
	} else {
		sayLine(a.stdout, "%s", verdict(rep))
	}
	if !rep.Intact {
		var err error = rep.FirstBad
		if rep.BadHead != nil {
			err = rep.BadHead
		}
		return &exitError{code: 1, err: err, silent: true}
	}
	return nil
}

// verifyStore verifies a store (audit.VerifyStore), with progress on stderr.
func (a *app) verifyStore(ctx context.Context, s eventstore.Store, opts audit.VerifyOptions) (audit.Report, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	p := a.newProgress("verifying", head.Seq)
	opts.Progress = p.Update
	rep, err := audit.VerifyStore(ctx, s, opts)
	if err != nil {
		return rep, err // audit's errors already say "verify: ..."
	}
	p.Done(rep.Events)
	return rep, nil
}

// verdict is the one line verify prints for a report.
func verdict(rep audit.Report) string {
	switch {
	case rep.FirstBad != nil && rep.Events >= rep.FirstBad.Seq:
		// An index (or meta) entry is wrong while every event verifies: say so, not "the N before it".
		return fmt.Sprintf("TAMPERED: %v; all %d events verify on their own, the store's index does not (Merkle root at size %d: %s)", rep.FirstBad, rep.Events, rep.Size, rep.Root)
	case rep.FirstBad != nil:
		return fmt.Sprintf("TAMPERED: %v; the %d events before it verify (Merkle root at size %d: %s)", rep.FirstBad, rep.Events, rep.Size, rep.Root)
	case rep.BadHead != nil:
		return fmt.Sprintf("TAMPERED: %v; all %d events verify on their own (Merkle root at size %d: %s)", rep.BadHead, rep.Events, rep.Size, rep.Root)
	case !rep.Intact:
		return "TAMPERED: the report says the ledger is not intact"
	}
	heads := ""
	switch {
	case rep.HeadsKept == 1:
		heads = "; it extends the kept tree head"
	case rep.HeadsKept > 1:
		heads = fmt.Sprintf("; it extends all %d kept tree heads", rep.HeadsKept)
	}
	return fmt.Sprintf("intact: %d events in %d streams; every hash chain verifies; Merkle root at size %d is %s%s",
		rep.Events, rep.Streams, rep.Size, rep.Root, heads)
}
