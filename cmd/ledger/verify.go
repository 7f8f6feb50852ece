package main

import (
	"context"
	"crypto/ed25519"
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
	fs.Var(&heads, "tree-head", "a signed tree head kept earlier (from 'ledger tree-head'); the ledger must extend it (repeatable; needs --key)")
	keyText := fs.String("key", "", "the ledger's public key, as printed by 'ledger key': --tree-head files must be signed by it; with --server (required) the server's tree head too, and what it sends is checked against it")
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
		if opts.Key != nil && len(opts.Heads) == 0 {
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

// readKeptHead reads a kept tree head (readTreeHead) and checks its signature under pub first: a head
// that is forged or signed by another key is a bad input file (exit 2, naming it), not evidence that
// the ledger was tampered with.
func readKeptHead(cmd, path string, pub ed25519.PublicKey) (audit.TreeHead, error) {
	th, err := readTreeHead(cmd, path)
	if err != nil {
		return th, err
	}
	return th, checkKeptHead(cmd, path, th, pub)
}

// checkKeptHead checks the signature of the tree head th, read from path, under pub (see readKeptHead).
func checkKeptHead(cmd, path string, th audit.TreeHead, pub ed25519.PublicKey) error {
	if err := audit.VerifyTreeHead(th, pub); err != nil {
		return usageErrorf("%s: %s is not a tree head signed by the key it is checked against (%v); check the file and the key", cmd, path, err)
	}
	return nil
}

// readTreeHead reads a signed tree head from a file: a tree head from 'ledger tree-head', or any file
// that carries one (a proof bundle, a review pack's pack.json).
func readTreeHead(cmd, path string) (audit.TreeHead, error) {
	var th audit.TreeHead
	var wrapped struct {
		TreeHead *audit.TreeHead `json:"tree_head"`
	}
	b, err := readUserFile(cmd, path, maxHeadFileBytes, "a tree head is under 1 KiB (keep it with 'ledger tree-head -o FILE'); a proof bundle or pack.json carrying one is read up to 16 MiB")
	if err != nil {
		return th, err
	}
	if err := decodeJSONFile(cmd, path, b, &wrapped); err != nil {
		return th, err
	}
	if wrapped.TreeHead != nil {
		th = *wrapped.TreeHead
	} else if err := decodeJSONFile(cmd, path, b, &th); err != nil {
		return th, err
	}
	if th.Size == 0 || len(th.Signature) == 0 {
		return th, usageErrorf("%s: %s holds no signed tree head", cmd, path)
	}
	return th, nil
}
