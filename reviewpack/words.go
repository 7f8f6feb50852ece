package reviewpack

// The pack's own phrases, built from the one wording (package words) and the views.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// humanize turns an identifier into a phrase that starts a sentence or a cell: "chief-executive" →
// "Chief executive", "head-of-hr" → "Head of HR".
func humanize(s string) string { return words.Capital(words.Phrase(s)) }

// minuteText is a minute of a view as the council wrote it, marked with what the sources of the
// events refs (as in effect) assume of it (words.MinuteCited).
func (c *composer) minuteText(m projections.MinuteRef, refs []uint64) string {
	return words.MinuteCited(m.Ref(), c.sourcesOf(refs))
}

// entryFact is a timeline entry as a fact inside a list: its line with its minutes marked
// (words.Cited) and its date, "Savings forecast for ... (18 December 2015)".
func entryFact(e projections.TimelineEntry) string {
	return fmt.Sprintf("%s (%s)", strings.TrimSuffix(words.Sentence(words.Cited(e.Description, e.Payload, e.Sources)), "."), e.EffectiveOn.Long())
}

// sourcesOf returns the sources the events refs cite, as in effect on the as-of date (the
// timeline's). A composer without a timeline (the last report's position, which "Changes since"
// compares by fields that cite no minute) has none.
func (c *composer) sourcesOf(refs []uint64) []domain.SourceRef {
	if c.tl == nil {
		return nil
	}
	var out []domain.SourceRef
	for _, e := range c.tl.Entries {
		if slices.Contains(refs, e.Seq) {
			out = append(out, e.Sources...)
		}
	}
	return out
}

func humanStatus(s projections.Status) string {
	v := orText(s.Value, "unknown")
	if !s.Since.IsZero() {
		v += " since " + s.Since.Long()
	}
	if s.Reason != "" {
		v += " (" + strings.TrimSuffix(s.Reason, ".") + ")"
	}
	return v
}

// knownPhrase says how much of the ledger a pack reflects, from its known_at as asked for: "by the end
// of 15 June 2016" (a date: the end of that day in Europe/London), "up to its event 21", "by 1 June 2016
// at 12:00 UTC", "by the time the pack was built" (everything recorded).
func knownPhrase(k string) string {
	if k == "" || strings.EqualFold(k, "all") {
		return "by the time the pack was built"
	}
	if t, err := domain.ParseDate(k); err == nil {
		return "by the end of " + t.Long()
	}
	if _, err := strconv.ParseUint(k, 10, 64); err == nil {
		return "up to its event " + k
	}
	if t, err := time.Parse(time.RFC3339Nano, k); err == nil {
		return "by " + words.Instant(t)
	}
	return "by " + k
}

// axesText states both axes of a pack in words, for its cover: "The position on 15 June 2016, as
// recorded in the ledger by the end of 15 June 2016 (event 24)."
func axesText(asOf domain.Date, knownAt string, seq uint64) string {
	return fmt.Sprintf("The position on %s, as recorded in the ledger %s (event %d).", asOf.Long(), knownPhrase(knownAt), seq)
}

func orAll(s string) string {
	if strings.TrimSpace(s) == "" {
		return "all"
	}
	return s
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func mergeRefs(a, b []uint64) []uint64 {
	out := append(append([]uint64{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
