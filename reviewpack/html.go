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

// packTemplate is parsed once. It writes every reference to events as text ("[8, 22]"); renderHTML
// then links each [n] to its event (linkRefs), so that no reference in any section is left unlinked.
var packTemplate = template.Must(template.New("pack.html.tmpl").Funcs(template.FuncMap{
	"refs":      refsText,
	"none":      func(string) template.HTML { return "" },
	"commands":  htmlCommands,
	"figures":   htmlFigures,
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
	t, err := packTemplate.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{
		"none": func(key string) template.HTML {
			return template.HTML(template.HTMLEscapeString(emptyText(r, key, withRefs))) //nolint:gosec // escaped; linkRefs links its [n]
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
		TreeHeadTimeLabel string
		TreeHeadTime      string
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
		TreeHeadTimeLabel: treeHeadTimeLabel,
		TreeHeadTime:      treeHeadTime(r.TreeHead),
		// chartSVG escapes every piece of text it draws.
		Chart: template.HTML(chartSVG(&r.Finance.Chart)), //nolint:gosec // built from escaped text
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return err
	}
	_, err = w.Write(linkRefs(withContents(buf.Bytes()), ids))
	return err
}

// refGroup matches a reference to events in a page's text: "[8]", "[8, 22]".
var refGroup = regexp.MustCompile(`\[(\d+(?:, \d+)*)\]`)

// linkRefs is the one place the HTML pack links a reference to events: in the text of page (outside
// tags, links, and the style and title elements) each number of a [n] or [n, m, …] that names an
// event of the register (ids: seq → event id) becomes a link to its row of Appendix A (id
// "event-n"), titled with its event id: [<a href="#event-8" title="event …">8</a>, …]. A number the
// register does not hold is left as text. page is html/template's output: text holds no raw '<', and
// attribute values no raw '>'.
func linkRefs(page []byte, ids map[uint64]string) []byte {
	var out bytes.Buffer
	out.Grow(len(page) + len(page)/8)
	inLink := 0
	for len(page) > 0 {
		if page[0] != '<' {
			n := bytes.IndexByte(page, '<')
			if n < 0 {
				n = len(page)
			}
			text := page[:n]
			if inLink == 0 {
				text = refGroup.ReplaceAllFunc(text, func(g []byte) []byte { return linkGroup(g, ids) })
			}
			out.Write(text)
			page = page[n:]
			continue
		}
		end := bytes.IndexByte(page, '>')
		if end < 0 {
			out.Write(page)
			break
		}
		tag := page[:end+1]
		name := ""
		if f := bytes.Fields(tag[1:end]); len(f) > 0 {
			name = strings.ToLower(string(f[0]))
		}
		switch name {
		case "a":
			inLink++
		case "/a":
			inLink = max(inLink-1, 0)
		case "style", "title", "script":
			closing := []byte("</" + name + ">")
			if at := bytes.Index(page, closing); at >= 0 {
				end = at + len(closing) - 1
				tag = page[:end+1]
			}
		}
		out.Write(tag)
		page = page[end+1:]
	}
	return out.Bytes()
}

// linkGroup links each number of one reference group ("[8, 22]") that ids holds.
func linkGroup(group []byte, ids map[uint64]string) []byte {
	nums := strings.Split(string(group[1:len(group)-1]), ", ")
	for i, n := range nums {
		seq, err := strconv.ParseUint(n, 10, 64)
		if id, ok := ids[seq]; ok && err == nil {
			nums[i] = `<a href="#event-` + n + `" title="event ` + template.HTMLEscapeString(id) + `">` + n + `</a>`
		}
	}
	return []byte("[" + strings.Join(nums, ", ") + "]")
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

// htmlFigures sets a table cell's text so that its figures never break over lines while its words
// may: each word holding a digit ("£80,000", "−£10,000", "50%") is kept whole (span.fig, nowrap);
// "cannot be worked out: one-off costs not recorded" wraps like any text.
func htmlFigures(text string) template.HTML {
	words := strings.Split(text, " ")
	for i, w := range words {
		w = template.HTMLEscapeString(w)
		if strings.ContainsAny(w, "0123456789") {
			w = `<span class="fig">` + w + `</span>`
		}
		words[i] = w
	}
	return template.HTML(strings.Join(words, " ")) //nolint:gosec // every word escaped
}
