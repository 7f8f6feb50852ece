package main

import (
	"context"
	"fmt"
	"net/url"
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
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("history: unexpected argument %q (run 'ledger help history')", pos[0])
	}
	if *slug == "" {
		return usageErrorf("history: --partnership is required (run 'ledger help history')")
	}
	ps, err := domain.ParsePartnershipSlug(*slug)
	if err != nil {
		return usageErrorf("history: --partnership: %v", err)
	}
	k, err := projections.ParseKnownAt(*knownAt)
	if err != nil {
		return badFlag("history", "known-at", err)
	}

	if a.server != "" {
		return a.historyFromServer(ctx, ps.String(), *knownAt, *asJSON)
	}
	store, err := a.openExistingStore(ctx, a.store)
	if err != nil {
		return err
	}
	defer store.Close()
	cut := uint64(1<<64 - 1)
	if !k.IsAll() {
		// Resolving a time needs the recording axis of the whole log; payloads of other partnerships
		// are not decoded.
		m, err := projections.Load(ctx, store, projections.Options{Now: a.now, Partnerships: []string{ps.String()}})
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		cut = m.ResolveKnownAt(k)
	}
	var events []eventstore.Event
	for e, err := range store.ReadStream(ctx, ps.Stream(), eventstore.Start, eventstore.Forward, 0) {
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if e.Seq <= cut {
			events = append(events, e)
		}
	}
	if len(events) == 0 && k.IsAll() {
		return usageErrorf("history: no partnership %q in this ledger", ps.String())
	}
	return a.printHistory(events, *asJSON)
}

// historyFromServer pages through the partnership's events on a running server; a known_at is
// resolved by the server's state endpoint to the seq it stands for.
func (a *app) historyFromServer(ctx context.Context, slug, knownAt string, asJSON bool) error {
	cut := uint64(1<<64 - 1)
	if knownAt != "" {
		var st projections.State
		if err := a.getJSON(ctx, "/v1/partnerships/"+slug+"?known_at="+url.QueryEscape(knownAt), &st); err != nil {
			return err
		}
		cut = st.KnownAt.Seq
	}
	var events []eventstore.Event
	next := "/v1/partnerships/" + slug + "/events?limit=1000"
	for next != "" {
		var page struct {
			Events []eventstore.Event `json:"events"`
			Next   string             `json:"next"`
		}
		if err := a.getJSON(ctx, next, &page); err != nil {
			return err
		}
		for _, e := range page.Events {
			if e.Seq <= cut {
				events = append(events, e)
			}
		}
		next = page.Next
	}
	return a.printHistory(events, asJSON)
}

// printHistory writes events as a table, or as a JSON array of envelopes.
func (a *app) printHistory(events []eventstore.Event, asJSON bool) error {
	if asJSON {
		if events == nil {
			events = []eventstore.Event{}
		}
		return writeJSON(a.stdout, events)
	}
	tw := tabwriter.NewWriter(reportWriter{a.stdout}, 0, 4, 2, ' ', 0) // types and certainties come from the store
	fmt.Fprintln(tw, "SEQ\tREV\tEFFECTIVE\tRECORDED\tTYPE\tCERTAINTY\tID\tHASH")
	for _, e := range events {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Revision, e.EffectiveOn,
			domain.TimeText(e.RecordedAt), e.Type, e.Certainty, e.ID, e.Hash.String()[:16])
	}
	return tw.Flush()
}
