package reviewpack

// The pack's own phrases, built from the one wording (package words) and the views.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// humanize turns an identifier into a phrase that starts a sentence or a cell: "chief-executive" →
// "Chief executive", "head-of-hr" → "Head of HR".
func humanize(s string) string { return words.Capital(words.Phrase(s)) }

// minuteText is a minute as the council wrote it (words.Minute).
func minuteText(m projections.MinuteRef) string {
	c, _ := domain.ParseCouncilRef(m.Council)
	return words.Minute(domain.MinuteRef{Council: c, Body: m.Body, Meeting: m.Meeting, Item: m.Item, Raw: m.Raw})
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
	return "by " + k
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
