package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/partnership-ledger/ledger/projections"
)

func (s *server) funcs() template.FuncMap {
	return template.FuncMap{
		"evidence": s.evidenceLinks,
		"money":    projections.FormatPence,
		"human":    func(s string) string { return strings.NewReplacer("_", " ", "-", " ").Replace(s) },
		"join":     strings.Join,
		"percent":  func(bp int) string { return fmt.Sprintf("%g%%", float64(bp)/100) },
		"errs":     func(m map[string][]string, k string) []string { return m[k] },
		"val":      func(m map[string]string, k string) string { return m[k] },
		"list":     func(s ...string) []string { return s },
		"fld": func(id, label, hint string, v map[string]string, e map[string][]string) field {
			return field{ID: id, Label: label, Hint: hint, Value: v[id], Errs: e[id]}
		},
	}
}

// evidenceLinks renders a fact's evidence as links to the event pages, labelled by seq.
func (s *server) evidenceLinks(ev projections.Evidence) template.HTML {
	var b strings.Builder
	for i, id := range ev {
		label := "event"
		if seq, ok := s.Log.Seq(id); ok {
			label = fmt.Sprintf("#%d", seq)
		}
		if i > 0 {
			b.WriteString(" ")
		}
		desc := "source event"
		if i > 0 {
			desc = "correction"
		}
		fmt.Fprintf(&b, `<a class="ev" href="/events/%s" title="%s %s">%s</a>`, id, desc, template.HTMLEscapeString(label), template.HTMLEscapeString(label))
	}
	return template.HTML(b.String())
}

// field is one form control's label, hint, value and errors, for the "field" template.
type field struct {
	ID, Label, Hint, Value string
	Errs                   []string
}
