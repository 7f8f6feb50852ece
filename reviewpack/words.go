package reviewpack

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// collectCouncilNames reads council names from payloads that name councils: objects with a slug
// ("slug" or "council") and a "name".
func collectCouncilNames(data json.RawMessage, into map[string]string) {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			name, _ := t["name"].(string)
			slug, _ := t["slug"].(string)
			if slug == "" {
				slug, _ = t["council"].(string)
			}
			if name != "" && slug != "" {
				if _, kind := t["kind"]; kind || strings.Contains(strings.ToLower(name), "council") {
					into[slug] = name
				}
			}
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
}

// minutesIn returns the minute references a payload cites (objects with a "raw" text and a meeting),
// as the council wrote them, in the order they appear.
func minutesIn(data json.RawMessage) []string {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			raw, _ := t["raw"].(string)
			meeting, _ := t["meeting"].(string)
			if raw != "" || meeting != "" {
				body, _ := t["body"].(string)
				item, _ := t["item"].(string)
				d, _ := domain.ParseDate(meeting)
				s := "Minute: " + minuteText(projections.MinuteRef{Body: body, Meeting: d, Item: item, Raw: raw})
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
				return
			}
			// Visit keys in sorted order so the output never depends on map order.
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(t[k])
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

// targetOf finds the event a correction or retraction targets: a field naming a cited event's id.
func targetOf(data json.RawMessage, byID map[uuid.UUID]uint64) (uint64, bool) {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return 0, false
	}
	for _, k := range []string{"target", "target_event", "target_id", "event_id", "event"} {
		if s, ok := m[k].(string); ok {
			if id, err := uuid.Parse(s); err == nil {
				if seq, ok := byID[id]; ok {
					return seq, true
				}
			}
		}
	}
	return 0, false
}

func stringField(data json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

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
		v += " since " + longDate(s.Since)
	}
	if s.Reason != "" {
		v += " (" + strings.TrimSuffix(s.Reason, ".") + ")"
	}
	return v
}

// longDate writes 2015-11-07 as "7 November 2015" (domain.Date.Long); text that is not a date is
// returned as it is.
func longDate[T string | domain.Date](d T) string {
	switch v := any(d).(type) {
	case domain.Date:
		return v.Long()
	case string:
		if t, err := domain.ParseDate(v); err == nil {
			return t.Long()
		}
		return v
	}
	return ""
}

// pv is an amount of a view as the pack's sums read it: a figure not recorded counts as 0.
func pv(p *domain.Pence) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
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
