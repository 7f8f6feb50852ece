package reviewpack

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// findingsAt are the risks and gaps of the partnership at one point in both times, for "Changes
// since the last report": what an earlier report held, and which event's recording ended a finding.
type findingsAt struct {
	risks, gaps []Finding
}

// findingsAt composes the risks and gaps as of asOf, as known at seq (the view v answers for both).
// ok is false when the ledger then held nothing of the partnership.
func (c *composer) findingsAt(v viewer, asOf domain.Date, seq uint64) (findingsAt, bool, error) {
	st, err := v.State(c.ev.Partnership, projections.Query{AsOf: asOf, KnownAt: projections.KnownAtSeq(seq)})
	if errorsIsUnknown(err) {
		return findingsAt{}, false, nil
	}
	if err != nil {
		return findingsAt{}, false, err
	}
	at := newComposer(c.ev, st, nil)
	at.meetingRows = c.meetingRows
	return findingsAt{risks: at.risks(), gaps: at.gaps()}, true, nil
}

// lastAsOf is the as-of date of the last report, which a since gives only as its known-at: a pack's
// known-at defaults to the end of its as-of day, so the last report is taken to describe the day it
// knew up to (a date; an instant's day in Europe/London; a seq's recording day), and never a day after
// this pack's as-of.
func (c *composer) lastAsOf() domain.Date {
	d := c.asOf
	since := c.ev.Since
	if t, err := domain.ParseDate(since); err == nil {
		d = t
	} else if t, err := time.Parse(time.RFC3339Nano, since); err == nil {
		d = domain.LondonDate(t)
	} else if _, err := strconv.ParseUint(since, 10, 64); err == nil {
		for _, ce := range c.ev.Events {
			if ce.Event.Seq <= c.ev.SinceSeq {
				d = domain.LondonDate(ce.Event.RecordedAt)
			}
		}
	}
	if d.After(c.asOf) {
		return c.asOf
	}
	return d
}

// closer finds, from the facts, the events recorded since the last report whose recording ended a
// finding: the finding is looked for in the position as of the pack's as-of date as known just
// before and just after each such event, and the event after which it no longer appears (and never
// comes back) closed it. A finding is found by its kind and words, or by its kind alone when the last
// report's ledger raised one finding of that kind (its words may change as the facts change, "two
// shared posts" becoming "one"). It keeps each point's findings, so each is composed once.
type closer struct {
	c     *composer
	v     viewer
	rows  []ChangeRow
	at    map[uint64]findingsAt
	since uint64
}

func (k *closer) findings(seq uint64) (findingsAt, error) {
	if f, ok := k.at[seq]; ok {
		return f, nil
	}
	f, _, err := k.c.findingsAt(k.v, k.c.asOf, seq)
	if err != nil {
		return f, err
	}
	k.at[seq] = f
	return f, nil
}

// present reports whether f is among fs (by kind and words, or by kind alone when byKind).
func present(fs []Finding, f Finding, byKind bool) bool {
	for _, g := range fs {
		if g.Kind == f.Kind && (byKind || g.Text == f.Text) {
			return true
		}
	}
	return false
}

// closedBy returns the seqs of the events recorded since the last report whose recording ended f
// (risk says which list f is in), in seq order; none when f was not in the position as of the as-of
// date as the last report's ledger gave it (then time alone, not an event, ended it).
func (k *closer) closedBy(f Finding, risk bool) ([]uint64, error) {
	pick := func(fa findingsAt) []Finding {
		if risk {
			return fa.risks
		}
		return fa.gaps
	}
	start, err := k.findings(k.since)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, g := range pick(start) {
		if g.Kind == f.Kind {
			n++
		}
	}
	byKind := n == 1
	if !present(pick(start), f, byKind) {
		return nil, nil
	}
	var last uint64
	held := true
	for _, row := range k.rows {
		fa, err := k.findings(row.Seq)
		if err != nil {
			return nil, err
		}
		now := present(pick(fa), f, byKind)
		if held && !now {
			last = row.Seq
		}
		held = now
	}
	if held || last == 0 {
		return nil, nil
	}
	return []uint64{last}, nil
}

// closedText says in words which events closed a finding: "Closed by event 30 (Partnership
// dissolved)."
func closedText(seqs []uint64, rows []ChangeRow) string {
	var parts []string
	for _, s := range seqs {
		for _, row := range rows {
			if row.Seq == s {
				parts = append(parts, fmt.Sprintf("event %d (%s)", row.Seq, strings.TrimSuffix(row.What, ".")))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Closed by " + words.JoinAnd(parts) + "."
}

// movedTo names the winding-down matter (section 2) that restates a gap a running arrangement
// raised, once the partnership is dissolved: the gap still holds, in another form. "" when none does.
func movedTo(kind string, matters []Option) string {
	want := map[string]string{
		GapNoExitTerms:     "exit_terms", // no exit terms: who bears the costs of ending the posts
		GapNoS113Agreement: "exit_terms", // what a section 113 agreement would have settled on ending
		GapNoCostShare:     "settlement",
		GapNoOutturn:       "settlement",
	}[kind]
	if want == "" {
		return ""
	}
	for _, m := range matters {
		if m.Key != want {
			continue
		}
		for _, f := range m.Facts {
			if f.Absence {
				return m.Heading
			}
		}
	}
	return ""
}
