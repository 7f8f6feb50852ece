package web

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
)

// Domain problems (domain.Decide's, the rules') are written for the API: councils by slug, events
// by id and type name, members by JSON name, dates as YYYY-MM-DD, shares in basis points. The pages
// show them to a democratic services officer through forPeople, which rewrites one message in the
// pages' words; the API's problem+json keeps the domain's text.

const uuidText = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var (
	notWebAddress = regexp.MustCompile(`"[^"]*" is not an http\(s\) URL`)
	requiredOneOf = regexp.MustCompile(`is required \(one of [^)]*\)`)
	notOneOf      = regexp.MustCompile(`is not one of [a-z0-9_, -]+$`)
	gotValue      = regexp.MustCompile(`\s*\(got ([a-z][a-z_]*)\)`)
	isoDateFormat = regexp.MustCompile(`,? ?\(?YYYY-MM-DD\)?`)
	eventByID     = regexp.MustCompile(`(?i)\bevent ` + uuidText)
	typedID       = regexp.MustCompile(`(” |\b[A-Z][a-z]+(?:[A-Z][a-z]+)+ )` + uuidText)
	typeName      = regexp.MustCompile(`\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b`)
	councilSlug   = regexp.MustCompile(`\b(?:council )?([a-z0-9]+(?:-[a-z0-9]+)*)\b`)
	isoDate       = regexp.MustCompile(`\b\d{4}-\d\d-\d\d\b`)
	memberName    = regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`)
	basisPoints   = regexp.MustCompile(`(\d+) basis points`)
	whole100      = regexp.MustCompile(`10000 \(100%\)|10000\b`)
)

// forPeople rewrites a problem's message msg for the page whose fields are fs: councils by their
// names (the names fs offers or, for a council typed in full, the name typed beside it), event
// types in words (words.EventType; a correction, a retraction), an event's id as "the event", dates
// in words (Date.Long), member names as their labels, shares as percentages, enumerated values as
// "choose one", and the API's format notes ("YYYY-MM-DD", "http(s) URL", "pence") as what the page
// asks for. A message with none of these is returned as it is.
func forPeople(msg string, fs []formField) string {
	names := map[string]string{}
	collectNames(fs, names)
	msg = notWebAddress.ReplaceAllString(msg, "must be a web address starting https:// or http://")
	msg = strings.ReplaceAll(msg, "must be a positive whole number of pence", "must be an amount of more than £0")
	msg = strings.ReplaceAll(msg, "must be a positive whole number of basis points", "must be more than 0%")       // a cost share
	msg = strings.ReplaceAll(msg, "must be positive (10000 is all of the officer's time)", "must be more than 0%") // a time share
	msg = strings.ReplaceAll(msg, "is required (confirmed, reported or inferred)", "is required: choose how certain the fact is")
	msg = requiredOneOf.ReplaceAllString(msg, "is required: choose one")
	msg = notOneOf.ReplaceAllString(msg, "is not one of the choices offered")
	msg = isoDateFormat.ReplaceAllStringFunc(msg, func(s string) string {
		if strings.HasPrefix(s, ",") && strings.HasSuffix(s, ")") {
			return ")" // "(the meeting date, YYYY-MM-DD)" → "(the meeting date)"
		}
		return ""
	})
	msg = gotValue.ReplaceAllStringFunc(msg, func(s string) string {
		return ", but " + words.Phrase(gotValue.FindStringSubmatch(s)[1]) + " was chosen"
	})
	msg = eventByID.ReplaceAllString(msg, "the event")
	msg = typedID.ReplaceAllStringFunc(msg, func(s string) string { return strings.TrimSpace(s[:len(s)-36]) }) // "SavingsReported <id>" → the type
	msg = typeName.ReplaceAllStringFunc(msg, func(s string) string {
		switch {
		case s == domain.TypeEventCorrected:
			return "correction"
		case s == domain.TypeEventRetracted:
			return "retraction"
		case isEventType(s):
			return "“" + words.EventType(s) + "”"
		}
		return s
	})
	msg = basisPoints.ReplaceAllStringFunc(msg, func(s string) string {
		n, err := strconv.ParseInt(basisPoints.FindStringSubmatch(s)[1], 10, 64)
		if err != nil {
			return s
		}
		return domain.BasisPoints(n).String()
	})
	msg = whole100.ReplaceAllString(msg, "100%")
	msg = isoDate.ReplaceAllStringFunc(msg, func(s string) string {
		if d, err := domain.ParseDate(s); err == nil {
			return d.Long()
		}
		return s
	})
	msg = memberName.ReplaceAllStringFunc(msg, func(s string) string { return words.Lower(labelOfMember(s)) })
	return councilSlug.ReplaceAllStringFunc(msg, func(s string) string {
		if name, ok := names[councilSlug.FindStringSubmatch(s)[1]]; ok {
			return name
		}
		return s
	})
}

func isEventType(s string) bool {
	for _, t := range domain.EventTypes() {
		if t == s {
			return true
		}
	}
	return false
}

// collectNames gathers the councils' names fs knows by slug: the choices of a council field and
// the name typed beside a council's slug in a council in full.
func collectNames(fs []formField, names map[string]string) {
	for _, f := range fs {
		if f.Kind == kindCouncil || (f.Kind == kindChecks && f.Name != "assumed") {
			for _, c := range f.Choices {
				if c.Value != "" && c.Text != "" && c.Value != c.Text && strings.Contains(c.Text, " ") {
					names[c.Value] = c.Text
				}
			}
		}
		if f.Kind == kindNewCouncil || f.Kind == kindGroup {
			var slug, name string
			for _, m := range f.Fields {
				switch {
				case m.Name == "council" && m.Kind == kindText:
					slug = m.Value
				case m.Name == "name":
					name = m.Value
				}
			}
			if slug != "" && name != "" {
				names[slug] = name
			}
		}
		collectNames(f.Fields, names)
		collectNames(f.Rows, names)
	}
}
