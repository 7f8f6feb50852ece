package reviewpack

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/projections"
)

// sourceRef is a source reference as domain.md describes it. Only what the pack prints is read.
type sourceRef struct {
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	URL          string `json:"url"`
	Published    string `json:"published"`
	Locator      string `json:"locator"`
	SHA256       string `json:"sha256"`
	Illustrative bool   `json:"illustrative"`
}

var sourceKinds = map[string]string{"minutes": "Minutes", "report": "Report", "agreement": "Agreement",
	"letter": "Letter", "press": "Press", "web": "Web page"}

// line is the source as the chronology prints it.
func (s sourceRef) line() string {
	var b strings.Builder
	if k := sourceKinds[s.Kind]; k != "" {
		b.WriteString(k)
	} else {
		b.WriteString(humanize(orText(s.Kind, "source")))
	}
	b.WriteString(": ")
	b.WriteString(orText(s.Title, "untitled"))
	if s.Published != "" {
		b.WriteString(", " + s.Published)
	}
	if s.Locator != "" {
		b.WriteString(", " + s.Locator)
	}
	if s.URL != "" {
		b.WriteString(" <" + s.URL + ">")
	}
	if s.Illustrative {
		b.WriteString(" (illustrative)")
	}
	return b.String()
}

// short names the source in a sentence.
func (s sourceRef) short() string {
	t := "“" + orText(s.Title, "untitled") + "”"
	if s.Published != "" {
		t += ", " + s.Published
	}
	return t
}

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
				s := "Minute: " + minuteText(raw, body, meeting, item)
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

func minuteText(raw, body, meeting, item string) string {
	if raw != "" {
		return raw
	}
	s := humanize(body) + " " + meeting
	if item != "" {
		s += ", item " + item
	}
	return strings.TrimSpace(s)
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

// titleSlug turns a slug into words: "north-norfolk" → "North Norfolk".
func titleSlug(slug string) string {
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		switch {
		case i > 0 && (w == "and" || w == "of" || w == "the"):
		default:
			words[i] = upperFirst(w)
		}
	}
	return strings.Join(words, " ")
}

// humanize turns an identifier into a phrase: "chief-executive" → "Chief executive", "head-of-hr" →
// "Head of HR" (projections.Words keeps acronyms in capitals).
func humanize(s string) string { return upperFirst(projections.Words(s)) }

// article is "a" or "an" for the word w: "an interim basis", "a fixed basis".
func article(w string) string {
	if w != "" && strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	// Keep acronyms ("HR") and names as they are.
	if n < len(s) {
		r2, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(r2) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func humanRole(r string) string { return upperFirst(projections.RoleWords(r)) }

func humanOutcome(o string) string {
	switch o {
	case "terminate":
		return "end the partnership"
	case "make_permanent", "make permanent", "permanent":
		return "make the arrangement permanent"
	case "continue":
		return "continue the arrangement"
	case "extend":
		return "extend the arrangement"
	case "vary":
		return "vary the arrangement"
	}
	return lowerFirst(humanize(o))
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

// sentence ends text with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = upperFirst(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// joinAnd lists items in English: "a", "a and b", "a, b and c".
func joinAnd(items []string) string { return projections.JoinAnd(items) }

var smallNumbers = []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// plural writes a count and a noun: "one officer is", "two officers are", "12 events".
func plural(n int, one, many string) string {
	num := strconv.Itoa(n)
	if n >= 0 && n < len(smallNumbers) {
		num = smallNumbers[n]
	}
	if n == 1 {
		return num + " " + one
	}
	return num + " " + many
}

func mergeRefs(a, b []uint64) []uint64 {
	out := append(append([]uint64{}, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// verb picks a verb's form for a count.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// humanType writes an event type for people: "StatutoryRoleDesignated" → "Statutory role designated".
func humanType(t string) string {
	var b strings.Builder
	for i, r := range t {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
