package reviewpack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"github.com/partnership-ledger/ledger/domain"
)

// Page geometry, in millimetres (A4 portrait).
const (
	pdfMarginL   = 18.0
	pdfMarginR   = 18.0
	pdfMarginT   = 20.0
	pdfMarginB   = 20.0
	pdfPageW     = 210.0
	pdfPageH     = 297.0
	pdfContentW  = pdfPageW - pdfMarginL - pdfMarginR
	pdfBodySize  = 10.0
	pdfTableSize = 8.0
)

var (
	colAccent = [3]int{31, 78, 121}
	colHead   = [3]int{232, 238, 245}
	colTotal  = [3]int{244, 244, 244}
	colWarn   = [3]int{170, 0, 0}
	colBorder = [3]int{153, 153, 153}
	colMuted  = [3]int{85, 85, 85}
)

// pdfDoc wraps fpdf with the pack's typography and a table writer. Its CellFormat, MultiCell, Write,
// SplitText, GetStringWidth and Bookmark shadow fpdf's so that every string reaches fpdf mapped for the
// embedded fonts (pdftext.go).
type pdfDoc struct {
	*fpdf.Fpdf
	r   *Report
	txt pdfTextMapper
}

// renderPDF writes the report as an A4 PDF. The bytes depend only on the report: the creation and
// modification dates are the tree head's timestamp, resources are written in sorted order, and the
// file identifier is derived from the tree head and the query.
//
// Text the embedded fonts cannot print, or too long for a page, is printed as pdfText maps it and
// noted under its table or section. A panic inside fpdf is returned as an error.
func renderPDF(r *Report, w io.Writer) (err error) {
	glyphs, err := pdfGlyphs()
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reviewpack: pdf: %v", p)
		}
	}()
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, r: r, txt: pdfTextMapper{glyphs: glyphs}}
	stamp := pdfTime(r.TreeHead.Timestamp)
	f.SetCreationDate(stamp)
	f.SetModificationDate(stamp)
	f.SetCatalogSort(true)
	f.SetCompression(os.Getenv("PDFDEBUG") == "")
	f.SetProducer("Partnership Ledger reviewpack", true)
	f.SetCreator("Partnership Ledger", true)
	f.SetTitle(pdfMetaText(r.Cover.Title), true)
	f.SetAuthor(pdfMetaText(r.Cover.Author), true)
	f.SetSubject(pdfMetaText(r.Cover.Subject), true)
	f.SetLang("en-GB")
	// fpdf writes the subset's table sizes back into the font bytes it is given (the hhea and head
	// tables), which would change the next document built from the same bytes: give it copies.
	for _, pf := range pdfFonts {
		f.AddUTF8FontFromBytes(pf.family, pf.style, bytes.Clone(pf.ttf))
	}
	f.SetMargins(pdfMarginL, pdfMarginT, pdfMarginR)
	f.SetAutoPageBreak(true, pdfMarginB)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)

	d.cover()
	f.AddPage()
	for _, section := range []func(){d.summary, d.options, d.chronology, d.people, d.services, d.finance, d.flags, d.findings, d.changes, d.appendices} {
		section()
		d.lossNote()
	}

	if err := f.Error(); err != nil {
		return fmt.Errorf("reviewpack: pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return fmt.Errorf("reviewpack: pdf: %w", err)
	}
	_, err = w.Write(withFileID(buf.Bytes(), r))
	return err
}

// pdfTime reads the tree head's timestamp; a pack without one gets a fixed date, never the clock.
func pdfTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
}

// withFileID adds a trailer /ID (PDF 32000-1, 14.4) derived from the tree head and the query, so
// two builds of the same pack carry the same identifier. The trailer follows the cross-reference
// table, so no offset moves.
func withFileID(pdf []byte, r *Report) []byte {
	sum := sha256.Sum256([]byte(strings.Join([]string{"ledger-review-pack-v1", r.Partnership, r.AsOf,
		r.KnownAt.Requested, itoa(r.KnownAt.Seq), r.TreeHead.Root, r.Cover.Committee, r.Cover.Meeting, r.Cover.Author, meetingsKey(r)}, "\x00")))
	id := hex.EncodeToString(sum[:16])
	const end = "\n>>\nstartxref"
	i := bytes.LastIndex(pdf, []byte(end))
	if i < 0 {
		return pdf
	}
	out := make([]byte, 0, len(pdf)+80)
	out = append(out, pdf[:i]...)
	out = append(out, "\n/ID [<"+id+"> <"+id+">]"...)
	return append(out, pdf[i:]...)
}

func (d *pdfDoc) color(c [3]int) { d.SetTextColor(c[0], c[1], c[2]) }

func (d *pdfDoc) header() {
	if d.PageNo() == 1 {
		return
	}
	// The title was noted on the cover if it lost anything: not again under whatever table or section
	// a page break happens in.
	defer func(t pdfTextMapper) { d.txt = t }(d.txt)
	d.SetFont("sans", "", 7.5)
	d.color(colMuted)
	d.SetXY(pdfMarginL, 9)
	d.CellFormat(pdfContentW, 4, d.r.Cover.Title, "", 0, "L", false, 0, "")
	d.SetDrawColor(colBorder[0], colBorder[1], colBorder[2])
	d.SetLineWidth(0.2)
	d.Line(pdfMarginL, 14, pdfPageW-pdfMarginR, 14)
	d.color([3]int{17, 17, 17})
	d.SetXY(pdfMarginL, pdfMarginT)
}

func (d *pdfDoc) footer() {
	defer func(t pdfTextMapper) { d.txt = t }(d.txt)
	d.SetFont("sans", "", 7.5)
	d.color(colMuted)
	d.SetXY(pdfMarginL, pdfPageH-13)
	d.CellFormat(pdfContentW/2, 4, d.r.Cover.Reference, "", 0, "L", false, 0, "")
	d.CellFormat(pdfContentW/2, 4, fmt.Sprintf("Page %d of {nb}", d.PageNo()), "", 0, "R", false, 0, "")
	d.color([3]int{17, 17, 17})
}

// space ensures h millimetres remain on the page, starting a new page if not.
func (d *pdfDoc) space(h float64) {
	if d.GetY()+h > pdfPageH-pdfMarginB {
		d.AddPage()
	}
}

func (d *pdfDoc) h2(title string) {
	d.space(50) // the heading, a subheading and the start of what follows: never a heading alone at a page's foot
	d.Ln(4)
	d.Bookmark(title, 0, -1)
	d.SetFont("sans", "B", 13.5)
	d.color(colAccent)
	d.CellFormat(pdfContentW, 7, title, "", 1, "L", false, 0, "")
	d.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	d.SetLineWidth(0.5)
	y := d.GetY()
	d.Line(pdfMarginL, y, pdfPageW-pdfMarginR, y)
	d.Ln(3)
	d.color([3]int{17, 17, 17})
}

func (d *pdfDoc) h3(title string) {
	d.space(35) // the subheading with a table's header and first rows
	d.Ln(1)
	d.Bookmark(title, 1, -1)
	d.SetFont("sans", "B", 11)
	d.CellFormat(pdfContentW, 6, title, "", 1, "L", false, 0, "")
	d.Ln(0.5)
}

func (d *pdfDoc) para(text string) {
	d.SetFont("sans", "", pdfBodySize)
	d.MultiCell(pdfContentW, 5, text, "", "L", false)
	d.Ln(2)
}

func (d *pdfDoc) note(text string) {
	d.SetFont("sans", "", 8)
	d.color(colMuted)
	d.MultiCell(pdfContentW, 4, text, "", "L", false)
	d.color([3]int{17, 17, 17})
	d.Ln(2)
}

func (d *pdfDoc) bullet(text string) {
	d.SetFont("sans", "", pdfBodySize)
	lines := d.SplitText(text, pdfContentW-6)
	d.space(float64(len(lines)) * 5)
	x := d.GetX()
	d.CellFormat(6, 5, "•", "", 0, "C", false, 0, "")
	d.SetX(x + 6)
	d.MultiCell(pdfContentW-6, 5, text, "", "L", false)
	d.Ln(0.8)
}

// box draws a paragraph in a tinted, ruled box.
func (d *pdfDoc) box(label, text string, rule, fill [3]int) {
	body := func(text string) string {
		if label != "" {
			return label + " " + text
		}
		return text
	}
	// Measure in bold, which is wider than the body text: the box is never too short.
	d.SetFont("sans", "B", pdfBodySize)
	text = d.txt.text(text, pdfMaxText)
	lines := d.SplitText(body(text), pdfContentW-8)
	// A box is drawn on one page: cut the text until it fits one.
	for len(lines) > pdfMaxBoxLines {
		n := utf8.RuneCountInString(text)
		if n <= 2 {
			break
		}
		text = d.txt.text(text, max(2, min(n*pdfMaxBoxLines/len(lines), n-1)))
		lines = d.SplitText(body(text), pdfContentW-8)
	}
	h := float64(len(lines))*5 + 4
	d.space(h + 2)
	x, y := d.GetX(), d.GetY()
	d.SetFillColor(fill[0], fill[1], fill[2])
	d.Rect(x, y, pdfContentW, h, "F")
	d.SetFillColor(rule[0], rule[1], rule[2])
	d.Rect(x, y, 1.2, h, "F")
	// Write wraps at the page margins: narrow them to the box while it writes.
	d.SetLeftMargin(x + 4)
	d.SetRightMargin(pdfMarginR + 4)
	d.SetXY(x+4, y+2)
	if label != "" {
		d.SetFont("sans", "B", pdfBodySize)
		d.Write(5, label+" ")
		d.SetFont("sans", "", pdfBodySize)
	}
	d.Write(5, text)
	d.SetLeftMargin(pdfMarginL)
	d.SetRightMargin(pdfMarginR)
	d.SetXY(x, y+h+2)
}

// column of a table.
type pdfCol struct {
	head  string
	width float64 // share of the content width; they sum to 1
	align string  // "L" or "R"
	mono  bool
}

// font returns the font and size a column's cells are set in: hashes in Liberation Mono, a little smaller so
// that 64 hex digits fit on a line.
func (c pdfCol) font(head bool, size float64) (string, float64) {
	if c.mono && !head {
		return "mono", size * 0.86
	}
	return "sans", size
}

// rowStyle marks rows printed differently.
type rowStyle struct {
	bold, shaded bool
	warnCol      int // index of a cell printed in the warning colour, -1 for none
}

// none is what a list of the pack with no rows says (emptyText).
func (d *pdfDoc) none(key string) string { return emptyText(d.r, key, withRefs) }

// table writes rows under a header repeated on every page the table spans.
func (d *pdfDoc) table(cols []pdfCol, rows [][]string, styles []rowStyle, size float64, none ...string) {
	if len(rows) == 0 {
		d.para(append(none, "None recorded.")[0])
		return
	}
	lineH := size * 0.45
	pad := 1.2
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.width * pdfContentW
	}
	drawRow := func(cells []string, st rowStyle) {
		style := ""
		if st.bold {
			style = "B"
		}
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			font, fsize := cols[i].font(false, size)
			d.SetFont(font, style, fsize)
			var ls []string
			for _, part := range strings.Split(c, "\n") {
				split := d.SplitText(part, widths[i]-2*pad+2*d.GetCellMargin())
				if len(split) == 0 {
					split = []string{""}
				}
				ls = append(ls, split...)
			}
			lines[i] = d.capLines(ls, pdfMaxCellLines, widths[i]-2*pad)
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lineH + 2*pad
		if d.GetY()+h > pdfPageH-pdfMarginB {
			d.AddPage()
			drawHead(d, cols, widths, size, lineH, pad)
		}
		x0, y0 := pdfMarginL, d.GetY()
		x := x0
		for i := range cells {
			switch {
			case st.shaded:
				d.SetFillColor(colTotal[0], colTotal[1], colTotal[2])
				d.Rect(x, y0, widths[i], h, "FD")
			default:
				d.Rect(x, y0, widths[i], h, "D")
			}
			font, fsize := cols[i].font(false, size)
			d.SetFont(font, style, fsize)
			if i == st.warnCol {
				d.color(colWarn)
				d.SetFont(font, "B", fsize)
			}
			for j, l := range lines[i] {
				d.SetXY(x+pad-d.GetCellMargin(), y0+pad+float64(j)*lineH)
				d.CellFormat(widths[i]-2*pad+2*d.GetCellMargin(), lineH, l, "", 0, cols[i].align, false, 0, "")
			}
			d.color([3]int{17, 17, 17})
			x += widths[i]
		}
		d.SetXY(x0, y0+h)
	}
	d.SetDrawColor(colBorder[0], colBorder[1], colBorder[2])
	d.SetLineWidth(0.15)
	// Keep the header with at least a row.
	d.space(size*0.45*4 + 8)
	drawHead(d, cols, widths, size, lineH, pad)
	for i, row := range rows {
		st := rowStyle{warnCol: -1}
		if styles != nil {
			st = styles[i]
		}
		drawRow(row, st)
	}
	if d.txt.missing || d.txt.cut {
		d.Ln(1.5)
		d.lossNote()
		d.Ln(0.5)
		return
	}
	d.Ln(4)
}

// drawHead draws a table's header row; a page break inside a table repeats it.
func drawHead(d *pdfDoc, cols []pdfCol, widths []float64, size, lineH, pad float64) {
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	d.SetFont("sans", "B", size)
	n := 1
	for i, h := range heads {
		n = max(n, len(d.SplitText(h, widths[i]-2*pad+2*d.GetCellMargin())))
	}
	h := float64(n)*lineH + 2*pad
	x0, y0 := pdfMarginL, d.GetY()
	x := x0
	d.SetFillColor(colHead[0], colHead[1], colHead[2])
	for i, head := range heads {
		d.Rect(x, y0, widths[i], h, "FD")
		for j, l := range d.SplitText(head, widths[i]-2*pad+2*d.GetCellMargin()) {
			d.SetXY(x+pad-d.GetCellMargin(), y0+pad+float64(j)*lineH)
			d.CellFormat(widths[i]-2*pad+2*d.GetCellMargin(), lineH, l, "", 0, cols[i].align, false, 0, "")
		}
		x += widths[i]
	}
	d.SetXY(x0, y0+h)
}

func (d *pdfDoc) cover() {
	r := d.r
	d.AddPage()
	d.SetFont("sans", "", 9)
	d.color(colMuted)
	d.CellFormat(pdfContentW, 5, "REVIEW REPORT · generated from the Partnership Ledger", "", 1, "L", false, 0, "")
	d.Ln(6)
	d.SetFont("sans", "B", 22)
	d.color(colAccent)
	d.MultiCell(pdfContentW, 10, d.txt.text(r.Cover.Title, pdfMaxTitle), "", "L", false)
	d.SetDrawColor(colAccent[0], colAccent[1], colAccent[2])
	d.SetLineWidth(0.8)
	d.Ln(3)
	d.Line(pdfMarginL, d.GetY(), pdfPageW-pdfMarginR, d.GetY())
	d.Ln(8)
	d.color([3]int{17, 17, 17})
	labelW := 42.0
	for _, kv := range coverRows(r) {
		d.SetFont("sans", "", 10.5)
		value := kv[1]
		lines := d.SplitText(value, pdfContentW-labelW)
		if len(lines) > pdfMaxCoverLines {
			lines = d.capLines(lines, pdfMaxCoverLines, pdfContentW-labelW-2*d.GetCellMargin())
			value = strings.Join(lines, "\n")
		}
		h := float64(max(1, len(lines))) * 5.5
		d.space(h + 3)
		y := d.GetY()
		d.SetFont("sans", "B", 10.5)
		d.CellFormat(labelW, 5.5, kv[0], "", 0, "L", false, 0, "")
		d.SetFont("sans", "", 10.5)
		d.SetXY(pdfMarginL+labelW, y)
		d.MultiCell(pdfContentW-labelW, 5.5, value, "", "L", false)
		d.SetDrawColor(220, 220, 220)
		d.SetLineWidth(0.2)
		d.Line(pdfMarginL, d.GetY()+1.2, pdfPageW-pdfMarginR, d.GetY()+1.2)
		d.Ln(2.6)
	}
	d.Ln(6)
	if r.Cover.Disclaimers != "" {
		d.box("", r.Cover.Disclaimers, [3]int{214, 137, 16}, [3]int{253, 246, 233})
	}
	d.lossNote()
	d.Bookmark("Cover", 0, pdfMarginT)
}

func (d *pdfDoc) summary() {
	d.h2(hSummary)
	for _, p := range d.r.Summary {
		d.para(p)
	}
	if d.r.Recommendation != "" {
		d.box("Recommendation.", d.r.Recommendation, colAccent, [3]int{242, 246, 250})
	}
	d.note(refsExplained)
}

func (d *pdfDoc) options() {
	d.h2(optionsHeading(d.r))
	for _, o := range d.r.Options {
		d.h3(o.Heading)
		if len(o.Facts) == 0 {
			d.bullet("No recorded facts bear on this option.")
		}
		for _, f := range o.Facts {
			d.bullet(withRefs(withCertainty(f.Text, f.Certainty), f.Refs))
		}
		d.Ln(1)
	}
}

func (d *pdfDoc) chronology() {
	d.h2(hChronology)
	rows := make([][]string, len(d.r.Chronology))
	for i, c := range d.r.Chronology {
		what := c.What
		if c.Corrected {
			what += " (corrected)"
		}
		refs := append(append([]string{}, c.Minutes...), c.Sources...)
		rows[i] = []string{refsText([]uint64{c.Seq}), c.Date, what, c.Certainty, strings.Join(refs, "\n")}
	}
	d.table([]pdfCol{{"[n]", 0.05, "R", false}, {"Date", 0.11, "L", false}, {"What happened", 0.40, "L", false},
		{"Certainty", 0.1, "L", false}, {"Minutes and sources", 0.34, "L", false}}, rows, nil, pdfTableSize)
	if len(d.r.Corrections) > 0 {
		d.h3(hCorrections)
		d.para(correctionsExplained)
		rows = make([][]string, len(d.r.Corrections))
		for i, ch := range d.r.Corrections {
			rows[i] = correctionCells(ch)
		}
		d.table([]pdfCol{{correctionHead[0], 0.05, "R", false}, {correctionHead[1], 0.2, "L", false}, {correctionHead[2], 0.1, "L", false},
			{correctionHead[3], 0.12, "L", false}, {correctionHead[4], 0.12, "L", false}, {correctionHead[5], 0.12, "L", false},
			{correctionHead[6], 0.15, "L", false}, {correctionHead[7], 0.14, "L", false}}, rows, nil, pdfTableSize)
	}
}

func (d *pdfDoc) people() {
	r := d.r
	d.h2(hPeople)
	d.h3("Shared posts")
	rows := make([][]string, len(r.Appointments))
	for i, a := range r.Appointments {
		rows[i] = []string{a.Officer, a.Post, a.Employer, a.Councils, a.Basis, a.Since, strings.Join(a.Approvals, "\n"), cite(a.Certainty, a.Refs)}
	}
	d.table([]pdfCol{{"Officer", 0.12, "L", false}, {"Post", 0.12, "L", false}, {"Employed by", 0.13, "L", false},
		{"Serves", 0.16, "L", false}, {"Basis", 0.08, "L", false}, {"Since", 0.115, "L", false},
		{"Approved by", 0.165, "L", false}, {hEvents, 0.11, "L", false}}, rows, nil, pdfTableSize, d.none(EmptyAppointments))
	d.h3("Statutory roles")
	rows = make([][]string, len(r.Roles))
	for i, s := range r.Roles {
		rows[i] = []string{s.Council, s.Role, s.Officer, s.Since, cite(s.Certainty, s.Refs)}
	}
	d.table([]pdfCol{{"Council", 0.26, "L", false}, {"Role", 0.26, "L", false}, {"Held by", 0.2, "L", false},
		{"Since", 0.14, "L", false}, {hEvents, 0.14, "L", false}}, rows, nil, pdfTableSize, d.none(EmptyRoles))
	d.h3("Partner councils")
	rows = make([][]string, len(r.Partners))
	for i, p := range r.Partners {
		rows[i] = []string{p.Council, p.Kind, p.Since, p.Notice, p.Ended, cite(p.Certainty, p.Refs)}
	}
	d.table([]pdfCol{{"Council", 0.22, "L", false}, {"Kind", 0.1, "L", false}, {"Partner since", 0.12, "L", false},
		{"Notice of withdrawal", 0.17, "L", false}, {"Until", 0.25, "L", false}, {hEvents, 0.14, "L", false}}, rows, nil, pdfTableSize, d.none(EmptyPartners))
}

func (d *pdfDoc) services() {
	d.h2(hServices)
	rows := make([][]string, len(d.r.Services))
	for i, s := range d.r.Services {
		rows[i] = []string{s.Service, s.Status, s.Detail, s.Since, s.CostShare, cite(s.Certainty, s.Refs)}
	}
	d.table([]pdfCol{{"Service", 0.17, "L", false}, {"Status", 0.12, "L", false}, {"Arrangement", 0.28, "L", false},
		{"Since", 0.11, "L", false}, {"Cost share", 0.2, "L", false}, {hEvents, 0.12, "L", false}}, rows, nil, pdfTableSize, d.none(EmptyServices))
}

func (d *pdfDoc) finance() {
	r := d.r
	d.h2(hFinance)
	d.h3("Savings by financial year")
	fr := financeRows(&r.Finance)
	rows := make([][]string, len(fr))
	styles := make([]rowStyle, len(fr))
	for i, f := range fr {
		rows[i] = financeCells(f)
		styles[i] = rowStyle{warnCol: -1}
		if f.BelowTarget {
			styles[i].warnCol = 7
		}
		if f.Council == totalCouncil {
			styles[i].bold, styles[i].shaded = true, true
		}
	}
	d.table([]pdfCol{{"Year", 0.08, "L", false}, {"Council", 0.16, "L", false}, {"Target", 0.1, "R", false},
		{"Forecast", 0.1, "R", false}, {"Outturn", 0.1, "R", false}, {"One-off costs", 0.1, "R", false},
		{"Net (forecast or outturn)", 0.1, "R", false}, {"Against target", 0.12, "R", false}, {hEvents, 0.14, "L", false}}, rows, styles, pdfTableSize)
	for _, n := range r.Finance.Notes {
		d.note(n)
	}
	d.chart(&r.Finance.Chart)
	d.h3("Cost shares")
	rows = make([][]string, len(r.Finance.CostShares))
	for i, c := range r.Finance.CostShares {
		rows[i] = []string{c.Subject, c.Basis, c.Shares, c.AppliesFrom, cite(c.Certainty, c.Refs)}
	}
	d.table([]pdfCol{{"Post or service", 0.22, "L", false}, {"Basis", 0.12, "L", false}, {"Shares", 0.36, "L", false},
		{"From", 0.14, "L", false}, {hEvents, 0.16, "L", false}}, rows, nil, pdfTableSize, d.none(EmptyCostShares))
	if len(r.Finance.Funding) > 0 {
		d.h3("External funding")
		rows = make([][]string, len(r.Finance.Funding))
		for i, f := range r.Finance.Funding {
			rows[i] = []string{f.Funder, f.Recipients, f.Amount, f.Purpose, cite(f.Certainty, f.Refs)}
		}
		d.table([]pdfCol{{"Funder", 0.18, "L", false}, {"Recipients", 0.26, "L", false}, {"Amount", 0.12, "R", false},
			{"Purpose", 0.3, "L", false}, {hEvents, 0.14, "L", false}}, rows, nil, pdfTableSize)
	}
}

// chart draws the grouped bar chart with the same layout as the SVG one.
func (d *pdfDoc) chart(c *Chart) {
	if len(c.Categories) == 0 || len(c.Series) == 0 {
		return
	}
	const H = 78.0
	d.space(H + 6)
	l := layoutChart(c)
	x0, y0 := pdfMarginL, d.GetY()
	left, foot, top := 24.0, 18.0, 9.0
	plotW, plotH := pdfContentW-left-2, H-top-foot
	d.SetFont("sans", "B", 9.5)
	d.SetXY(x0, y0)
	d.CellFormat(pdfContentW, 5, c.Title, "", 0, "L", false, 0, "")
	d.SetFont("sans", "", 7.5)
	d.SetDrawColor(204, 204, 204)
	d.SetLineWidth(0.15)
	base := y0 + top + plotH
	for _, t := range l.ticks {
		y := base - float64(t)/float64(l.max)*plotH
		d.Line(x0+left, y, x0+left+plotW, y)
		d.SetXY(x0, y-2)
		d.CellFormat(left-2, 4, domain.Pence(t).String(), "", 0, "R", false, 0, "")
	}
	groupW := plotW / float64(len(c.Categories))
	barW := groupW * 0.8 / float64(len(c.Series))
	for ci, cat := range c.Categories {
		gx := x0 + left + float64(ci)*groupW + groupW*0.1
		for si, s := range c.Series {
			if ci >= len(s.Values) || s.Values[ci] == nil {
				continue // nothing recorded: no bar, not a bar of £0
			}
			v := int64(*s.Values[ci])
			h := float64(max(v, 0)) / float64(l.max) * plotH
			col := chartPalette[si%len(chartPalette)]
			d.SetFillColor(int(col[0]), int(col[1]), int(col[2]))
			if h > 0 {
				d.Rect(gx+float64(si)*barW, base-h, barW*0.92, h, "F")
			}
		}
		d.SetXY(x0+left+float64(ci)*groupW, base+1.5)
		d.CellFormat(groupW, 4, cat, "", 0, "C", false, 0, "")
	}
	d.SetDrawColor(34, 34, 34)
	d.SetLineWidth(0.3)
	d.Line(x0+left, base, x0+left+plotW, base)
	x := x0 + left
	for si, s := range c.Series {
		col := chartPalette[si%len(chartPalette)]
		d.SetFillColor(int(col[0]), int(col[1]), int(col[2]))
		d.Rect(x, base+8, 3.5, 3.5, "F")
		d.SetXY(x+4.5, base+7.8)
		w := d.GetStringWidth(s.Name) + 2
		d.CellFormat(w, 4, s.Name, "", 0, "L", false, 0, "")
		x += 4.5 + w + 5
	}
	d.SetXY(x0, y0+H+2)
}

func (d *pdfDoc) flags() {
	d.h2(hFlags)
	if len(d.r.Flags) == 0 {
		d.para("Nothing to note.")
	}
	for _, f := range d.r.Flags {
		rule, fill := [3]int{170, 0, 0}, [3]int{251, 238, 238}
		if f.Kind == FlagIllustrative || f.Kind == FlagPressOnly || f.Kind == FlagAssumed || f.Kind == FlagNoConfirming || f.Kind == FlagLateSource {
			rule, fill = [3]int{214, 137, 16}, [3]int{253, 246, 233}
		}
		d.box(flagTitle(f.Kind)+".", withRefs(f.Text, f.Refs), rule, fill)
	}
}

// changes writes "Changes since the last report", when the pack has one.
func (d *pdfDoc) changes() {
	ch := d.r.Changes
	if ch == nil {
		return
	}
	d.h2(hChanges)
	d.para(ch.Intro)
	if len(ch.Events) > 0 {
		rows := make([][]string, len(ch.Events))
		for i, e := range ch.Events {
			rows[i] = []string{refsText([]uint64{e.Seq}), strings.Replace(e.Recorded, " ", "\n", 1), e.Effective, e.What}
		}
		d.table([]pdfCol{{changeHeads[0], 0.06, "R", false}, {changeHeads[1], 0.13, "L", false}, {changeHeads[2], 0.12, "L", false},
			{changeHeads[3], 0.69, "L", false}}, rows, nil, pdfTableSize)
	}
	d.h3(hChangedWhat)
	for _, f := range ch.Effects {
		d.bullet(withRefs(f.Text, f.Refs))
	}
}

// findings writes the risks and gaps sections: each finding a bullet, what it is, then why it matters.
func (d *pdfDoc) findings() {
	for _, sec := range findingSections(d.r) {
		d.h2(sec.Heading)
		if len(sec.Items) == 0 {
			d.para(sec.None)
		}
		for _, f := range sec.Items {
			d.bullet(f.Text + " " + whyItMatters + " " + findingTail(f))
		}
		if len(sec.Items) > 0 && sec.Note != "" {
			d.para(sec.Note)
		}
	}
}

func (d *pdfDoc) appendices() {
	r := d.r
	d.AddPage()
	d.h2(hRegister)
	d.note(registerExplained)
	rows := make([][]string, len(r.Register))
	for i, e := range r.Register {
		// The date and the time on two lines, never split inside the date.
		rows[i] = []string{refsText([]uint64{e.Seq}), e.EffectiveOn, e.Type, e.Certainty, strings.Replace(e.RecordedAt, " ", "\n", 1), e.ID + "\n" + e.Hash}
	}
	d.table([]pdfCol{{"[n]", 0.05, "R", false}, {"Effective", 0.1, "L", false}, {"Type", 0.17, "L", false},
		{"Certainty", 0.08, "L", false}, {"Recorded (UTC)", 0.1, "L", false}, {"Event id and SHA-256 hash", 0.5, "L", true}},
		rows, nil, 7)

	d.h2(hTreeHead)
	th := r.TreeHead
	d.table([]pdfCol{{"Field", 0.2, "L", false}, {"Value", 0.8, "L", true}}, [][]string{
		{"Tree size", itoa(th.Size)}, {"Root hash", th.Root}, {treeHeadTimeLabel, treeHeadTime(th)},
		{"Key id", th.KeyID}, {"Signature", th.Signature},
	}, nil, 8)
	if cp := r.Checkpoint; cp != nil {
		d.h3(hCheckpoint)
		d.para(cp.Sentence)
		d.note(strings.TrimSuffix(cp.Note, "\n"))
	}

	d.h2(hVerify)
	for i, p := range r.HowToVerify {
		d.SetFont("sans", "", pdfBodySize)
		lines := d.SplitText(p, pdfContentW-7)
		d.space(float64(len(lines)) * 5)
		y := d.GetY()
		d.CellFormat(7, 5, itoa(uint64(i+1))+".", "", 0, "L", false, 0, "")
		d.SetXY(pdfMarginL+7, y)
		// The lead phrase in bold, commands in the mono face, wrapped under the number.
		d.SetLeftMargin(pdfMarginL + 7)
		lead, rest := leadPhrase(p)
		if lead != "" {
			d.SetFont("sans", "B", pdfBodySize)
			d.Write(5, lead+" ")
		}
		for _, piece := range splitCommands(rest) {
			if piece.command {
				d.SetFont("mono", "", pdfBodySize*0.9)
			} else {
				d.SetFont("sans", "", pdfBodySize)
			}
			d.Write(5, piece.text)
		}
		d.SetLeftMargin(pdfMarginL)
		d.Ln(6.5)
	}
	if len(r.Glossary) > 0 {
		d.h2(hGlossary)
		for _, g := range r.Glossary {
			d.SetFont("sans", "B", pdfBodySize)
			d.space(10)
			d.CellFormat(pdfContentW, 5, g.Term, "", 1, "L", false, 0, "")
			d.para(g.Meaning)
		}
	}
}

// lossNote says, once, that text printed since the last such note lost characters or was cut.
func (d *pdfDoc) lossNote() {
	if n := pdfLossNote(d.txt.missing, d.txt.cut); n != "" {
		d.txt.missing, d.txt.cut = false, false
		d.note(n)
	}
}

// CellFormat prints one line of text (fpdf.CellFormat) mapped by pdfText, a line break as a space,
// and, if it is wider than the cell, cut to fit with pdfCutMark; w = 0 reaches the right margin.
func (d *pdfDoc) CellFormat(w, h float64, text, border string, ln int, align string, fill bool, link int, linkStr string) {
	text = strings.ReplaceAll(d.txt.text(text, pdfMaxText), "\n", " ")
	avail := w
	if w == 0 {
		_, _, right, _ := d.GetMargins()
		avail = pdfPageW - right - d.GetX()
	}
	if !d.fits(text, avail-2*d.GetCellMargin()) {
		text = d.withCutMark(text, avail-2*d.GetCellMargin())
	}
	d.Fpdf.CellFormat(w, h, text, border, ln, align, fill, link, linkStr)
}

// fits reports whether text fits in width millimetres in the current font, by the rule fpdf's
// SplitText breaks lines with (widths in glyph units, the limit rounded up).
func (d *pdfDoc) fits(text string, width float64) bool {
	_, size := d.GetFontSize() // in millimetres
	return d.Fpdf.GetStringSymbolWidth(text) <= int(math.Ceil(width*1000/size))
}

// withCutMark cuts text so that it and pdfCutMark fit in width millimetres, and records the cut. Text
// of which not even one character fits is returned as it is.
func (d *pdfDoc) withCutMark(text string, width float64) string {
	rs := []rune(strings.TrimRight(text, " "))
	lo, hi := 0, len(rs) // the longest prefix that fits is rs[:lo]
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.fits(string(rs[:mid])+pdfCutMark, width) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return text
	}
	d.txt.cut = true
	return strings.TrimRight(string(rs[:lo]), " ") + pdfCutMark
}

// capLines keeps at most max of lines, the last cut with pdfCutMark to fit width millimetres, and
// records the cut.
func (d *pdfDoc) capLines(lines []string, max int, width float64) []string {
	if len(lines) <= max {
		return lines
	}
	lines = lines[:max:max]
	lines[max-1] = d.withCutMark(lines[max-1], width)
	d.txt.cut = true
	return lines
}

// MultiCell prints text wrapped to w (fpdf.MultiCell), mapped by pdfText.
func (d *pdfDoc) MultiCell(w, h float64, text, border, align string, fill bool) {
	d.Fpdf.MultiCell(w, h, d.txt.text(text, pdfMaxText), border, align, fill)
}

// Write prints flowing text (fpdf.Write), mapped by pdfText.
func (d *pdfDoc) Write(h float64, text string) {
	d.Fpdf.Write(h, d.txt.text(text, pdfMaxText))
}

// SplitText splits text into lines of at most w (fpdf.SplitText), mapped by pdfText.
func (d *pdfDoc) SplitText(text string, w float64) []string {
	return d.Fpdf.SplitText(d.txt.text(text, pdfMaxText), w)
}

// GetStringWidth measures text (fpdf.GetStringWidth) as pdfText maps it.
func (d *pdfDoc) GetStringWidth(text string) float64 {
	return d.Fpdf.GetStringWidth(d.txt.text(text, pdfMaxText))
}

// Bookmark adds an outline entry (fpdf.Bookmark); viewers show its title in their own fonts.
func (d *pdfDoc) Bookmark(title string, level int, y float64) {
	d.Fpdf.Bookmark(pdfMetaText(title), level, y)
}
