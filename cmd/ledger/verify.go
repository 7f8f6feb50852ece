package main

import (
	"context"
	"fmt"
	"os"

	"github.com/partnership-ledger/ledger/audit"
)

func cmdVerify(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	file := fs.String("file", "", "verify an export file (JSON Lines) instead of a store")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("verify: unexpected argument %q (run 'ledger help verify')", pos[0])
	}
	var rep audit.Report
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			return usageErrorf("verify: %v", err)
		}
		defer f.Close()
		p := a.newProgress("verifying "+*file, 0)
		rep, err = audit.VerifyExport(ctx, f, p.Update)
		if err != nil {
			return fmt.Errorf("verify %s: %w", *file, err)
		}
		p.Done(rep.Events)
	} else if a.server != "" {
		if err := a.getJSON(ctx, "/v1/audit/verify", &rep); err != nil {
			return err
		}
	} else {
		s, err := a.openExistingStore(ctx, a.store)
		if err != nil {
			return err
		}
		defer s.Close()
		head, err := s.Head(ctx)
		if err != nil {
			return err
		}
		p := a.newProgress("verifying", head.Seq)
		rep, err = audit.Verify(ctx, s, p.Update)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		p.Done(rep.Events)
	}
	if *asJSON {
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
	} else if rep.Intact {
		fmt.Fprintf(a.stdout, "intact: %d events in %d streams; every hash chain verifies; Merkle root at size %d is %s\n",
			rep.Events, rep.Streams, rep.Size, rep.Root)
	} else {
		fmt.Fprintf(a.stdout, "TAMPERED: %v\n%d events before it verify (root at size %d: %s)\n", rep.FirstBad, rep.Events, rep.Size, rep.Root)
	}
	if !rep.Intact {
		return &exitError{code: 1, err: rep.FirstBad, silent: true}
	}
	return nil
}
