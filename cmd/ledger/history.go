package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

func cmdHistory(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("history")
	slug := fs.String("partnership", "", "the partnership's slug (required)")
	knownAt := fs.String("known-at", "", "only what was recorded by then: a seq, an RFC 3339 time or a date (default: all)")
	asJSON := fs.Bool("json", false, "print the events as a JSON array of envelopes")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	ps, err := partnershipFlag("history", *slug)
	if err != nil {
		return err
	}
	k, err := projections.ParseKnownAt(*knownAt)
	if err != nil {
		return badFlag("history", "known-at", err)
	}

	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	events, err := src.PartnershipEvents(ctx, ps, k, *knownAt)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return a.printHistory(events, *asJSON)
}

// printHistory writes events as a table, or as a JSON array of envelopes.
func (a *app) printHistory(events []eventstore.Event, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, events)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tREV\tEFFECTIVE\tRECORDED\tTYPE\tCERTAINTY\tID\tHASH")
	for _, e := range events {
		reportf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Revision, e.EffectiveOn,
			domain.TimeText(e.RecordedAt), e.Type, e.Certainty, e.ID, e.Hash.String()[:16])
	}
	return tw.Flush()
}
