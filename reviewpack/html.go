package reviewpack

import (
	"embed"
	"html/template"
	"io"
)

//go:embed templates/pack.html.tmpl
var templateFS embed.FS

var packTemplate = template.Must(template.New("pack.html.tmpl").Funcs(template.FuncMap{
	"refs":      refsText,
	"flagTitle": flagTitle,
}).ParseFS(templateFS, "templates/pack.html.tmpl"))

// htmlHeadings are the section headings, for the template.
type htmlHeadings struct {
	Summary, Options, Chronology, People, Services, Finance, Flags, Register, TreeHead, Verify, Glossary string
}

// renderHTML writes the report as one self-contained, print-ready HTML page (A4 via CSS @page; the
// chart is inline SVG; no scripts, fonts or images are fetched).
func renderHTML(r *Report, w io.Writer) error {
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
		H: htmlHeadings{hSummary, hOptions, hChronology, hPeople, hServices, hFinance, hFlags, hRegister,
			hTreeHead, hVerify, hGlossary},
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
	return packTemplate.Execute(w, data)
}
