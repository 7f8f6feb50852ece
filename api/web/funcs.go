package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		"money":             money,
		"notRecorded":       func() string { return words.NotRecorded },
		"phrase":            words.Phrase,        // an identifier in words: "head-of-hr" → "head of HR"
		"lastDay":           words.LastDay,       // the first day not held → "until 30 September 2016 (the last day)"
		"certainty":         words.CertaintyText, // "reported" → "reported by a secondary source"
		"role":              func(r string) string { return words.Role(domain.StatutoryRole(r)) },
		"join":              strings.Join,
		"timeText":          domain.TimeText, // when an event was recorded: "2016-06-01 09:00" (UTC)
		"percent":           percent,
		"treeHeadTimeLabel": func() string { return words.TreeHeadTimeLabel },
		"treeHeadTime":      treeHeadTime,
	}
}

// treeHeadTime is a signed tree head's timestamp in the review pack's words (words.TreeHeadTime):
// "2026-11-30T12:37:33Z, when event [41] was recorded; the head carries no signing time".
func treeHeadTime(th audit.TreeHead) string {
	return words.TreeHeadTime(th.Timestamp.UTC().Format(time.RFC3339Nano), th.Size)
}

// evidenceLinks renders a fact's evidence as links to the event pages, labelled by the ledger's
// event number as packs cite it ("[12]") and titled by the event's type in words from types
// ("Joint appointment made [12]"; a correction "correction [23]"; "event [12]" for an id types lacks).
// query ("known_at=20", or empty) is added to each link, so an event opened from a past view is
// shown as known at the same point.
func (s *server) evidenceLinks(ev projections.Evidence, types map[uuid.UUID]string, query string) template.HTML {
	var b strings.Builder
	for i, id := range ev {
		label := "event"
		if seq, ok := s.Log.Seq(id); ok {
			label = ref(seq)
		}
		if i > 0 {
			b.WriteString(" ")
		}
		desc := "event"
		switch t := types[id]; t {
		case "":
		case domain.TypeEventCorrected:
			desc = "correction"
		default:
			desc = words.EventType(t)
		}
		fmt.Fprintf(&b, `<a class="ev" href="%s" title="%s %s">%s</a>`, template.HTMLEscapeString(eventHref(id, query)), template.HTMLEscapeString(desc), template.HTMLEscapeString(label), template.HTMLEscapeString(label))
	}
	return template.HTML(b.String())
}

// eventHref is the path of an event's page, with query ("known_at=20") when it is not empty.
func eventHref(id uuid.UUID, query string) string {
	if query == "" {
		return "/events/" + id.String()
	}
	return "/events/" + id.String() + "?" + query
}

// money writes an amount with the domain's one money formatter (domain.Pence.String: "£40,000",
// "£1,234.56"). It takes the pence as the view holds them, an int64, a domain.Pence or a
// *domain.Pence (nil, a figure not recorded, is words.NotRecorded).
func money(v any) (string, error) {
	switch p := v.(type) {
	case domain.Pence:
		return p.String(), nil
	case *domain.Pence:
		return words.Money(p), nil
	case int64:
		return domain.Pence(p).String(), nil
	}
	return "", fmt.Errorf("money: %T is not an amount in pence", v)
}

// percent writes a share with the domain's one percentage formatter (domain.BasisPoints.String:
// "50%", "33.33%"). It takes the basis points as the view holds them, an int or a domain.BasisPoints.
func percent(v any) (string, error) {
	switch b := v.(type) {
	case domain.BasisPoints:
		return b.String(), nil
	case int:
		return domain.BasisPoints(b).String(), nil
	}
	return "", fmt.Errorf("percent: %T is not a share in basis points", v)
}
