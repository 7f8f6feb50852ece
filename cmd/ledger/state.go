package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

func cmdState(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("state")
	slug := fs.String("partnership", "", "the partnership's slug (required)")
	asOf := fs.String("as-of", "", "the date in effect, YYYY-MM-DD (default: today)")
	knownAt := fs.String("known-at", "", "only what was recorded by then: a seq, an RFC 3339 time or a date (default: all)")
	asJSON := fs.Bool("json", false, "print the state as a JSON object")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	ps, err := partnershipFlag("state", *slug)
	if err != nil {
		return err
	}
	q, err := projections.ParseQuery(*asOf, *knownAt)
	if err != nil {
		return badFlag("state", "", err)
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.State(ctx, *slug, q)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if *asJSON {
		return writeJSON(a.stdout, st)
	}
	cited, err := citedSources(ctx, src, ps, st)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	printState(a.stdout, st, cited)
	return nil
}

// citedSources maps each event of the partnership in effect at st's known_at (as corrected:
// domain.EffectiveView) to the sources it cites, so that a minute is printed with what its sources mark
// assumed (words.MinuteCited), as the review pack prints it. The state's JSON carries evidence ids,
// not sources, so the events are read once more at the state's own seq.
func citedSources(ctx context.Context, src ledgerSource, ps domain.PartnershipSlug, st *projections.State) (map[uuid.UUID][]domain.SourceRef, error) {
	events, err := src.PartnershipEvents(ctx, ps, projections.KnownAtSeq(st.KnownAt.Seq), strconv.FormatUint(st.KnownAt.Seq, 10))
	if err != nil {
		return nil, err
	}
	history := make([]domain.Recorded, 0, len(events))
	for _, e := range events {
		r, err := replayDecode(e)
		if err != nil {
			return nil, fmt.Errorf("event #%d: %w", e.Seq, err)
		}
		history = append(history, r)
	}
	out := map[uuid.UUID][]domain.SourceRef{}
	for _, e := range domain.EffectiveView(history) {
		out[e.ID] = e.Sources
	}
	return out, nil
}

// minuteCited is a minute of the state as words.MinuteCited writes it, with the sources of the
// events that are its evidence.
func minuteCited(m projections.MinuteRef, evidence projections.Evidence, cited map[uuid.UUID][]domain.SourceRef) string {
	var sources []domain.SourceRef
	for _, id := range evidence {
		sources = append(sources, cited[id]...)
	}
	return words.MinuteCited(m.Ref(), sources)
}

// printState writes the state as a person reads it (through reportf: its values come from the store
// or a server, and only its own format strings lay it out).
func printState(w io.Writer, st *projections.State, cited map[uuid.UUID][]domain.SourceRef) {
	name := st.Name
	if name == "" {
		name = st.Partnership
	}
	reportf(w, "%s (%s)\n", name, st.Partnership)
	known := fmt.Sprintf("seq %d", st.KnownAt.Seq)
	if st.KnownAt.RecordedAt != nil {
		known += ", recorded by " + domain.TimeText(*st.KnownAt.RecordedAt) + " UTC"
	}
	if st.KnownAt.Requested != "all" {
		known = st.KnownAt.Requested + " (" + known + ")"
	}
	reportf(w, "as of %s, as known at %s\n", st.AsOf, known)
	if st.Purpose != "" {
		reportf(w, "Purpose: %s\n", st.Purpose)
	}
	status := st.Status.Value
	if !st.Status.Since.IsZero() {
		status += " since " + st.Status.Since.String()
	}
	if st.Status.Reason != "" {
		status += " (" + st.Status.Reason + ")"
	}
	reportf(w, "Status: %s\n", status)
	if tp := st.TrialPeriod; tp != nil {
		reportf(w, "Trial period: %s\n", words.Trial(tp.From, tp.To))
	}
	if rd := st.ReviewDate; rd != nil {
		reportf(w, "Review due: %s\n", rd.DueOn)
	}

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	section := func(title string, n int) bool {
		tw.Flush()
		reportf(w, "\n%s", title)
		if n == 0 {
			fmt.Fprintln(w, ": none")
			return false
		}
		fmt.Fprintln(w, ":")
		return true
	}
	if section("Partners", len(st.Partners)) {
		for _, p := range st.Partners {
			line := safef("  %s\t%s\tsince %s", p.Council, p.Name, p.Since)
			if p.ApprovedBy != nil {
				line += safef(" (%s)", minuteCited(*p.ApprovedBy, p.Evidence, cited))
			}
			if p.Notice != nil {
				line += safef("\tnotice given %s, leaving %s", p.Notice.GivenOn, orDash(p.Notice.ProposedEnd.String()))
			}
			fmt.Fprintln(tw, line)
		}
	}
	if len(st.Former) > 0 && section("Former partners", len(st.Former)) {
		for _, p := range st.Former {
			reportf(tw, "  %s\t%s\tsince %s\t%s\n", p.Council, p.Name, p.Since, words.LastDay(p.Until))
		}
	}
	if section("Appointments", len(st.Appointments)) {
		for _, ap := range st.Appointments {
			councils := make([]string, len(ap.Councils))
			for i, c := range ap.Councils {
				councils[i] = c.Council
				if !c.LastDay.IsZero() {
					councils[i] += " to " + c.LastDay.String() // an ending recorded: the last day served
				}
			}
			term := ""
			if !ap.EndsOn.IsZero() {
				term = " to " + ap.EndsOn.String() // a fixed term's last day
			}
			reportf(tw, "  %s\t%s\tfor %s\t%s\tsince %s%s\n", ap.Officer, orDash(ap.Post), strings.Join(councils, ", "), orDash(ap.Basis), ap.Since, term)
			for _, r := range ap.Roles {
				reportf(tw, "  \t  %s\tat %s\t\tsince %s\n", words.Role(domain.StatutoryRole(r.Role)), r.Council, r.Since)
			}
			if cs := ap.CostShare; cs != nil {
				reportf(tw, "  \t  cost share\t%s\t%s\tfrom %s\n", cs.Basis, shares(cs.Shares), cs.AppliesFrom)
			}
		}
	}
	if section("Services", len(st.Services)) {
		for _, s := range st.Services {
			detail := ""
			switch {
			case s.LeadCouncil != "":
				detail = fmt.Sprintf("led by %s for %s", s.LeadCouncil, strings.Join(s.ReceivingCouncils, ", "))
			case len(s.Candidates) > 0:
				detail = "candidates " + strings.Join(s.Candidates, ", ")
			}
			reportf(tw, "  %s\t%s\t%s\tsince %s\n", s.Service, s.Status, detail, s.Since)
		}
	}
	if section("Savings", len(st.Savings.Years)) {
		fmt.Fprintln(tw, "  year\tcouncil\ttarget\tforecast\toutturn\tone-off costs\tnet\tagainst target\t")
		for _, y := range st.Savings.Years {
			for _, c := range y.Councils {
				flag, net := "", words.Net(c.NetPence, c.HasOutturn)
				if c.BelowTarget {
					flag = "BELOW TARGET"
				}
				if c.NetLacksOneOff() {
					net = words.NetNoOneOff
				}
				reportf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", y.Label, c.Council,
					money(c.TargetPence, false), money(c.ForecastPence, false), money(c.OutturnPence, false),
					money(c.OneOffCostsPence, false), net, money(c.AgainstTargetPence, true), flag)
			}
		}
	}
	if section("Decisions", len(st.Decisions)) {
		for _, d := range st.Decisions {
			reportf(tw, "  %s\t%s\t%s\t%s\n", d.Minute.Meeting, minuteCited(d.Minute, d.Evidence, cited), d.Outcome, d.Resolution)
		}
	}
	tw.Flush()
}

func shares(ss []projections.Share) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.Council + " " + domain.BasisPoints(s.BasisPoints).String()
	}
	return strings.Join(parts, ", ")
}

// money writes an amount of a view (words.Money), words.NotRecorded when it was not recorded.
func money(p *domain.Pence, signed bool) string {
	if signed {
		return words.SignedMoney(p)
	}
	return words.Money(p)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
