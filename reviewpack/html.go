package reviewpack

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"regexp"
	"strconv"
	"strings"
)

//go:embed templates/pack.html.tmpl
var templateFS embed.FS

// packTemplate is parsed once; renderHTML clones it to bind the functions that need the report
// ("refs" links each [n] to its row of the event register, with the event id as its title).
var packTemplate = template.Must(template.New("pack.html.tmpl").Funcs(template.FuncMap{
	"refs":      func([]uint64) template.HTML { return "" },
	"seqLink":   func(uint64) template.HTML { return "" },
	"none":      func(string) template.HTML { return "" },
	"commands":  htmlCommands,
	"flagTitle": flagTitle,
	// provenance.go
	"cite":                 cite,
	"withCertainty":        withCertainty,
	"findingCertainty":     findingCertainty,
	"hEvents":              func() string { return hEvents },
	"hCorrections":         func() string { return hCorrections },
	"correctionsExplained": func() string { return correctionsExplained },
	"correctionHead":       func() []string { return correctionHead },
	"correctionCells":      correctionCells,
}).ParseFS(templateFS, "templates/pack.html.tmpl"))

// htmlHeadings are the section headings, for the template.
type htmlHeadings struct {
	Summary, Options, Chronology, People, Services, Finance, Flags, Register, TreeHead, Verify, Glossary string
	Checkpoint                                                                                           string
}

// hContents heads the HTML pack's list of contents.
const hContents = "Contents"

// renderHTML writes the report as one self-contained, print-ready HTML page (A4 via CSS @page; the
// chart is inline SVG; no scripts, fonts or images are fetched). After the cover comes a list of
// contents linking every section (each h2 with an id); each [n] links to event n's row of the event
// register (id "event-n"), titled with its event id; table column headers carry scope="col".
func renderHTML(r *Report, w io.Writer) error {
	ids := make(map[uint64]string, len(r.Register))
	for _, e := range r.Register {
		ids[e.Seq] = e.ID
	}
	link := func(seq uint64) template.HTML {
		n := strconv.FormatUint(seq, 10)
		id, ok := ids[seq]
		if !ok {
			return template.HTML(n)
		}
		return template.HTML(`<a href="#event-` + n + `" title="event ` + template.HTMLEscapeString(id) + `">` + n + `</a>`) //nolint:gosec // digits and an escaped id
	}
	t, err := packTemplate.Clone()
	if err != nil {
		return err
	}
	refs := func(refs []uint64) template.HTML {
		if len(refs) == 0 {
			return ""
		}
		parts := make([]string, len(refs))
		for i, s := range refs {
			parts[i] = string(link(s))
		}
		return template.HTML("[" + strings.Join(parts, ", ") + "]") //nolint:gosec // links built above
	}
	t.Funcs(template.FuncMap{
		"seqLink": link,
		"refs":    refs,
		"none": func(key string) template.HTML {
			return template.HTML(emptyText(r, key, func(text string, rs []uint64) string { //nolint:gosec // escaped text and links built above
				return template.HTMLEscapeString(text) + " " + string(refs(rs))
			}))
		},
	})
	data := struct {
		R             *Report
		Cover         [][2]string
		H             htmlHeadings
		RefsExplained string
		// RegisterExplained introduces Appendix A.
		RegisterExplained string
		FinanceRows       []FinanceRow
		Findings          []findingSection
		ChangesHeading    string
		ChangedWhat       string
		WhyItMatters      string
		Chart             template.HTML
	}{
		R:     r,
		Cover: coverRows(r),
		H: htmlHeadings{hSummary, optionsHeading(r), hChronology, hPeople, hServices, hFinance, hFlags, hRegister,
			hTreeHead, hVerify, hGlossary, hCheckpoint},
		RefsExplained:     refsExplained,
		RegisterExplained: registerExplained,
		FinanceRows:       financeRows(&r.Finance),
		Findings:          findingSections(r),
		ChangesHeading:    hChanges,
		ChangedWhat:       hChangedWhat,
		WhyItMatters:      whyItMatters,
		// chartSVG escapes every piece of text it draws.
		Chart: template.HTML(chartSVG(&r.Finance.Chart)), //nolint:gosec // built from escaped text
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return err
	}
	_, err = w.Write(withContents(buf.Bytes()))
	return err
}

// htmlSection matches a section heading as the template writes it: <h2 id="ID">TITLE</h2>, TITLE
// already escaped.
var htmlSection = regexp.MustCompile(`<h2 id="([a-z0-9-]+)">([^<]*)</h2>`)

// contentsMark is where the template wants the list of contents.
const contentsMark = `<nav id="contents" aria-labelledby="contents-h"></nav>`

// withContents fills the template's contents mark with a link to every section heading after it, so
// that a section added to the template is listed without another edit.
func withContents(page []byte) []byte {
	at := bytes.Index(page, []byte(contentsMark))
	if at < 0 {
		return page
	}
	var nav bytes.Buffer
	nav.WriteString(`<nav id="contents" aria-labelledby="contents-h">` + "\n" + `<h2 id="contents-h">` + hContents + "</h2>\n<ul>\n")
	for _, m := range htmlSection.FindAllSubmatch(page[at:], -1) {
		nav.WriteString(`<li><a href="#` + string(m[1]) + `">` + string(m[2]) + "</a></li>\n")
	}
	nav.WriteString("</ul>\n</nav>")
	return bytes.Join([][]byte{page[:at], nav.Bytes(), page[at+len(contentsMark):]}, nil)
}

// htmlCommands sets a paragraph of Appendix C: its lead phrase in bold, each command it quotes
// (“ledger …”) as code.
func htmlCommands(text string) template.HTML {
	var b strings.Builder
	lead, rest := leadPhrase(text)
	if lead != "" {
		b.WriteString("<strong>" + template.HTMLEscapeString(lead) + "</strong> ")
	}
	for _, piece := range splitCommands(rest) {
		if piece.command {
			b.WriteString("<code>" + template.HTMLEscapeString(piece.text) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(piece.text))
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every piece escaped
}
