package reviewpack

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// viewer gives the views of the partnership at other points in both times than the pack's own: the
// position the last report knew (changes since it) and every event in words.
type viewer interface {
	State(slug string, q projections.Query) (*projections.State, error)
	Timeline(slug string, q projections.Query) (*projections.Timeline, error)
}

// changes writes "Changes since the last report": the partnership's events recorded after the
// evidence's SinceSeq (up to the tree head), each in words, and what they changed in the position as
// of the as-of date: the rows of the pack's tables, its risks and its gaps, compared with those the
// ledger gave as known at SinceSeq. It returns nil when the pack has no since.
func (c *composer) changes(v viewer, r *Report) (*Changes, error) {
	ev := c.ev
	if ev.Since == "" {
		return nil, nil
	}
	slug := ev.Partnership
	// Every event in words: the timeline as of the last date anything is recorded to take effect.
	all, err := v.Timeline(slug, projections.Query{AsOf: domain.MaxCommandDate, KnownAt: projections.KnownAtSeq(ev.TreeHead.Size)})
	if err != nil {
		return nil, err
	}
	said := map[uint64]projections.TimelineEntry{}
	for _, e := range all.Entries {
		said[e.Seq] = e
	}
	corr := map[uint64]projections.Correction{}
	for _, k := range all.Corrections {
		corr[k.Seq] = k
	}
	ch := &Changes{Since: ev.Since, SinceSeq: ev.SinceSeq}
	for _, ce := range ev.Events {
		e := ce.Event
		if e.Seq <= ev.SinceSeq {
			continue
		}
		row := ChangeRow{Seq: e.Seq, Recorded: domain.TimeText(e.RecordedAt), Effective: e.EffectiveOn}
		switch te, ok := said[e.Seq]; {
		case ok:
			row.Effective = te.EffectiveOn.String()
			row.What = words.Sentence(words.Cited(te.Description, te.Payload, te.Sources))
			if te.EffectiveOn.After(c.asOf) {
				row.What += " Takes effect on " + te.EffectiveOn.Long() + ", after the as-of date."
			}
		case corr[e.Seq].Seq != 0:
			k := corr[e.Seq]
			verb := "Corrected"
			if k.Type == domain.TypeEventRetracted {
				verb = "Retracted"
			}
			target := "an earlier event"
			if s, ok := c.seqOf(k.Target); ok {
				target = fmt.Sprintf("event %d", s)
			}
			row.What = fmt.Sprintf("%s %s", verb, target)
			if k.Reason != "" {
				row.What += ": " + words.Phrase(strings.TrimSuffix(k.Reason, "."))
			}
			row.What += "."
			// A certainty is no row's field, so the effects below cannot show its change: say it here.
			for _, f := range k.Changes {
				if f.Field == domain.CorrectedCertainty {
					old, new := words.CorrectedChange(f.Field, f.Before, f.After, c.st.Councils)
					row.What += fmt.Sprintf(" %s: %s → %s.", words.CorrectedField(f.Field), old, new)
				}
			}
		default:
			row.What = words.Sentence(words.EventType(e.Type)) + ", since retracted."
		}
		ch.Events = append(ch.Events, row)
	}
	ch.Intro = fmt.Sprintf("Since the last report, which knew the ledger up to event %d (%s), %s of this partnership %s recorded, up to ledger event %d.",
		ev.SinceSeq, knownPhrase(ev.Since), words.Count(len(ch.Events), "event", "events"), words.Verb(len(ch.Events), "was", "were"), ev.TreeHead.Size)

	// The position as of the as-of date, as the last report's ledger gave it.
	q := projections.Query{AsOf: c.asOf, KnownAt: projections.KnownAtSeq(ev.SinceSeq)}
	before, err := v.State(slug, q)
	if errorsIsUnknown(err) {
		ch.Effects = []Fact{{Text: "The last report's ledger held nothing of this partnership: everything in this pack is new since."}}
		return ch, nil
	}
	if err != nil {
		return nil, err
	}
	was := newComposer(ev, before, nil)
	was.meetingRows = c.meetingRows
	ch.Effects = c.effects(was, r)
	// The risks and gaps the last report held: those as of its own as-of date (lastAsOf), which may
	// be before this pack's, as its ledger gave them.
	last, ok, err := c.findingsAt(v, c.lastAsOf(), ev.SinceSeq)
	if err != nil {
		return nil, err
	}
	if !ok {
		last = findingsAt{}
	}
	k := &closer{c: c, v: v, rows: ch.Events, at: map[uint64]findingsAt{}, since: ev.SinceSeq}
	risks, err := c.diffFindings(k, "risk", last.risks, r.Risks, nil)
	if err != nil {
		return nil, err
	}
	gaps, err := c.diffFindings(k, "gap", last.gaps, r.Gaps, r)
	if err != nil {
		return nil, err
	}
	ch.Effects = append(ch.Effects, risks...)
	ch.Effects = append(ch.Effects, gaps...)
	if len(ch.Effects) == 0 {
		ch.Effects = append(ch.Effects, Fact{Text: "These events changed nothing in the position as of " + c.asOf.Long() + " that this pack sets out."})
	}
	return ch, nil
}

// effects compares the position the last report's ledger gave (was) with this pack's (r): the
// status, the trial and the review date, then each table's rows, the risks and the gaps.
func (c *composer) effects(was *composer, r *Report) []Fact {
	var out []Fact
	field := func(what, old, new string, refs []uint64) {
		if old != new {
			out = append(out, Fact{Text: fmt.Sprintf("%s: %s → %s.", what, orText(old, words.NotRecorded), orText(new, words.NotRecorded)), Refs: refs})
		}
	}
	st, ws := c.st, was.st
	field("Status", humanStatus(ws.Status), humanStatus(st.Status), c.refs(st.Status.Evidence))
	if tp := st.TrialPeriod; tp != nil || ws.TrialPeriod != nil {
		var refs []uint64
		if tp != nil {
			refs = c.refs(tp.Evidence)
		}
		field("Trial period", trialText(ws.TrialPeriod), trialText(tp), refs)
	}
	if rd := st.ReviewDate; rd != nil || ws.ReviewDate != nil {
		var refs []uint64
		if rd != nil {
			refs = c.refs(rd.Evidence)
		}
		field("Review due", reviewText(ws.ReviewDate), reviewText(rd), refs)
	}
	apps, roles := c.appointments()
	wasApps, wasRoles := was.appointments()
	out = append(out, diffRows("partner councils", was.partners(), c.partners(),
		func(p PartnerRow) string { return p.Council }, func(p PartnerRow) string { return p.Council },
		func(p PartnerRow) []string { return []string{"since", p.Since, "notice", p.Notice, "until", p.Ended} }, func(p PartnerRow) []uint64 { return p.Refs })...)
	out = append(out, diffRows("shared posts", wasApps, apps,
		func(a Appointment) string { return a.Officer + "\x00" + a.Post }, func(a Appointment) string { return a.Officer + " as " + words.Lower(a.Post) },
		func(a Appointment) []string {
			return []string{"councils served", a.Councils, "basis", a.Basis, "since", a.Since, "cost share", a.CostShare}
		}, func(a Appointment) []uint64 { return a.Refs })...)
	out = append(out, diffRows("statutory roles", wasRoles, roles,
		func(s RoleRow) string { return s.Council + "\x00" + s.Role + "\x00" + s.Officer }, func(s RoleRow) string {
			return words.Lower(s.Role) + " at " + s.Council + " held by " + s.Officer
		}, func(s RoleRow) []string { return []string{"since", s.Since} }, func(s RoleRow) []uint64 { return s.Refs })...)
	out = append(out, diffRows("services", was.services(), c.services(),
		func(s ServiceRow) string { return s.Service }, func(s ServiceRow) string { return words.Lower(s.Service) },
		func(s ServiceRow) []string {
			return []string{"status", s.Status, "arrangement", s.Detail, "cost share", s.CostShare}
		}, func(s ServiceRow) []uint64 { return s.Refs })...)
	wf, f := was.finance(), c.finance()
	out = append(out, diffRows("savings", wf.Rows, f.Rows,
		func(x FinanceRow) string { return x.Year + "\x00" + x.Council }, func(x FinanceRow) string { return x.Council + ", " + x.Year },
		func(x FinanceRow) []string {
			return []string{"target", x.Target, "forecast", x.Forecast, "outturn", x.Outturn, "one-off costs", x.OneOff, "net saving", x.Net}
		}, func(x FinanceRow) []uint64 { return x.Refs })...)
	out = append(out, diffRows("cost shares", wf.CostShares, f.CostShares,
		func(x CostShareRow) string { return x.Subject }, func(x CostShareRow) string { return words.Lower(x.Subject) },
		func(x CostShareRow) []string {
			return []string{"basis", x.Basis, "shares", x.Shares, "from", x.AppliesFrom}
		},
		func(x CostShareRow) []uint64 { return x.Refs })...)
	out = append(out, diffRows("external funding", wf.Funding, f.Funding,
		func(x FundingRow) string { return x.Funder + "\x00" + x.Amount + "\x00" + x.Purpose }, func(x FundingRow) string { return x.Amount + " from " + x.Funder },
		func(FundingRow) []string { return nil }, func(x FundingRow) []uint64 { return x.Refs })...)
	for _, rv := range st.Reviews {
		if !slices.ContainsFunc(ws.Reviews, func(o projections.ReviewResult) bool { return o.Council == rv.Council && o.Review == rv.Review }) {
			out = append(out, Fact{Text: fmt.Sprintf("New review outcome: %s decided on %s to %s.", c.council(rv.Council), rv.On.Long(), words.Outcome(rv.Outcome)), Refs: c.refs(rv.Evidence)})
		}
	}
	for _, ag := range st.Agreements {
		if !slices.ContainsFunc(ws.Agreements, func(o projections.Agreement) bool {
			return o.Kind == ag.Kind && slices.Equal(o.Parties, ag.Parties) && o.Commences == ag.Commences
		}) {
			out = append(out, Fact{Text: fmt.Sprintf("New agreement: %s between %s.", words.Phrase(ag.Kind), c.councils(ag.Parties)), Refs: c.refs(ag.Evidence)})
		}
	}
	return out
}

// diffRows compares a table's rows before and after by key: rows added, rows gone, and fields
// changed (fields lists name, value pairs).
func diffRows[T any](table string, before, after []T, key, name func(T) string, fields func(T) []string, refs func(T) []uint64) []Fact {
	var out []Fact
	old := map[string]T{}
	for _, b := range before {
		old[key(b)] = b
	}
	seen := map[string]bool{}
	for _, a := range after {
		k := key(a)
		seen[k] = true
		b, ok := old[k]
		if !ok {
			out = append(out, Fact{Text: fmt.Sprintf("New in %s: %s.", table, name(a)), Refs: refs(a)})
			continue
		}
		fb, fa := fields(b), fields(a)
		var changes []string
		for i := 0; i+1 < len(fa); i += 2 {
			if fb[i+1] != fa[i+1] {
				changes = append(changes, fmt.Sprintf("%s %s → %s", fa[i], orText(fb[i+1], words.NotRecorded), orText(fa[i+1], words.NotRecorded)))
			}
		}
		if len(changes) > 0 {
			out = append(out, Fact{Text: fmt.Sprintf("Changed in %s: %s: %s.", table, name(a), strings.Join(changes, "; ")), Refs: refs(a)})
		}
	}
	for _, b := range before {
		if !seen[key(b)] {
			out = append(out, Fact{Text: fmt.Sprintf("No longer in %s: %s.", table, name(b)), Refs: refs(b)})
		}
	}
	return out
}

// diffFindings says which risks or gaps are new since the last report (before: those it held) and
// which it held no longer apply, with what closed each (closer, from the facts). A gap of a running
// arrangement that the winding down of a dissolved partnership restates (r's section 2 matters) is
// said to have moved there, not to be closed: it still holds, in another form.
func (c *composer) diffFindings(k *closer, kind string, before, after []Finding, r *Report) ([]Fact, error) {
	var out []Fact
	has := func(fs []Finding, f Finding) bool {
		return slices.ContainsFunc(fs, func(g Finding) bool { return g.Kind == f.Kind && g.Text == f.Text })
	}
	for _, f := range after {
		if !has(before, f) {
			out = append(out, Fact{Text: "New " + kind + ": " + f.Text, Refs: f.Refs})
		}
	}
	for _, f := range before {
		if has(after, f) {
			continue
		}
		seqs, err := k.closedBy(f, kind == "risk")
		if err != nil {
			return nil, err
		}
		refs := mergeRefs(f.Refs, seqs)
		if r != nil && r.OptionsHeading == hWindDown {
			if m := movedTo(f.Kind, r.Options); m != "" {
				out = append(out, Fact{Text: fmt.Sprintf("%s now a matter of the winding down: %s With the partnership dissolved, it is set out in section 2 (%s).",
					words.Capital(kind), f.Text, m), Refs: refs})
				continue
			}
		}
		text := words.Capital(kind) + " no longer applies: " + f.Text
		if why := closedText(seqs, k.rows); why != "" {
			text += " " + why
		} else {
			text += " No event recorded since closed it: it no longer holds as of " + c.asOf.Long() + "."
		}
		out = append(out, Fact{Text: text, Refs: refs})
	}
	return out, nil
}

func trialText(tp *projections.TrialPeriod) string {
	if tp == nil {
		return ""
	}
	return orText(tp.From.Long(), words.NotRecorded) + " to " + orText(tp.To.Long(), words.NotRecorded)
}

func reviewText(rd *projections.ReviewDate) string {
	if rd == nil || rd.DueOn.IsZero() {
		return ""
	}
	return rd.DueOn.Long()
}

// errorsIsUnknown reports whether err says the partnership had nothing recorded.
func errorsIsUnknown(err error) bool { return errors.Is(err, projections.ErrUnknownPartnership) }

// changesSummary is the executive summary's sentence on the changes since the last report.
func changesSummary(ch *Changes) string {
	if len(ch.Events) == 0 {
		return fmt.Sprintf("Nothing about this partnership was recorded since the last report, which knew the ledger up to event %d (section 10).", ch.SinceSeq)
	}
	return fmt.Sprintf("Section 10 lists the %s recorded since the last report (which knew the ledger up to event %d) and what %s changed.",
		words.Count(len(ch.Events), "event", "events"), ch.SinceSeq, words.Verb(len(ch.Events), "it", "they"))
}
