package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/partnership-ledger/ledger/eventstore"
)

// verifyReport is what `ledger verify --json` prints.
type verifyReport struct {
	Intact   bool                   `json:"intact"`
	Events   uint64                 `json:"events"`
	Streams  int                    `json:"streams"`
	FirstBad *eventstore.ChainError `json:"first_bad,omitempty"`
}

func cmdVerify(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if _, err := a.parseFlags(fs, args); err != nil {
		return err
	}
	s, err := a.openStore(ctx, a.store)
	if err != nil {
		return err
	}
	defer s.Close()

	var v eventstore.ChainVerifier
	rep := verifyReport{Intact: true}
	for e, err := range s.ReadAll(ctx, 0, eventstore.Forward, 0) {
		if err == nil {
			err = v.Add(e)
		}
		var ce *eventstore.ChainError
		if errors.As(err, &ce) {
			rep.Intact, rep.FirstBad = false, ce
			break
		}
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
	}
	rep.Events, rep.Streams = v.Count(), v.Streams()
	if *asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if rep.Intact {
		fmt.Fprintf(a.stdout, "intact: %d events in %d streams; every hash chain verifies\n", rep.Events, rep.Streams)
	} else {
		fmt.Fprintf(a.stdout, "TAMPERED: %v\n", rep.FirstBad)
	}
	if !rep.Intact {
		return &exitError{code: 1, err: rep.FirstBad, silent: true}
	}
	return nil
}
