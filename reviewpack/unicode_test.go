package reviewpack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// The PDF's replacement mark and the note that goes with it (reviewpack/pdftext.go).
const (
	pdfMark     = "□"
	pdfMarkNote = "Some characters cannot be shown in this PDF and are printed as □; the HTML and JSON packs hold the exact text."
	pdfCutNote  = "Some text is cut short in this PDF (ending …); the HTML and JSON packs hold the exact text."
)

// textCorpus is legitimate text in many scripts. pdf is what pdftotext must find in the PDF: the text
// itself where the embedded fonts cover it, in Normalization Form C; marks where they do not.
var textCorpus = []struct {
	name, text, pdf string
}{
	{"Welsh", "Cyngor Sir Ddinbych ŵ ŷ Ŵ Ŷ", "Cyngor Sir Ddinbych ŵ ŷ Ŵ Ŷ"},
	{"Polish", "Zażółć gęślą jaźń Łódź ł ą", "Zażółć gęślą jaźń Łódź ł ą"},
	{"emoji with ZWJ", "Team 👩‍👩‍👧‍👦 and 🏴󠁧󠁢󠁷󠁬󠁳󠁿 flag 👍🏽", "Team □ and □ flag □"},
	{"Arabic", "مجلس المدينة", "□□□□ □□□□□□□"},
	{"Hebrew", "מועצת העיר", "□□□□□ □□□□"},
	{"CJK", "共享服务 議会 𠀋𡈽", "□□□□ □□ □□"},
	{"Devanagari", "नगर परिषद", "□□□ □□□□"},
	{"combining marks", "Cafe\u0301 w\u0302 q\u0307 x\u0323\u0307 end", "Café ŵ q□ ẋ□ end"},
	{"Greek and Cyrillic", "Δήμος Совет", "Δήμος Совет"},
}

// withText is the fixture with text in the partnership's name, an officer's name, a source title and
// a savings category: it reaches the cover, the running header, paragraphs and several tables.
func withText(text string) []rawEvent {
	j, _ := json.Marshal(text)
	esc := string(j[1 : len(j)-1])
	out := make([]rawEvent, len(fixtureEvents))
	for i, e := range fixtureEvents {
		e.data = strings.Replace(e.data, `"name":"Great Yarmouth and North Norfolk shared management"`, `"name":"Shared management `+esc+`"`, 1)
		e.data = strings.ReplaceAll(e.data, `"Karen Sly"`, `"Karen `+esc+`"`)
		e.data = strings.ReplaceAll(e.data, `"category":"shared management"`, `"category":"`+esc+`"`)
		e.sources = strings.ReplaceAll(e.sources, `"title":"Great Yarmouth Full Council minutes"`, `"title":"Minutes `+esc+`"`)
		out[i] = e
	}
	return out
}

func packOf(t testing.TB, events []rawEvent) *reviewpack.Pack {
	t.Helper()
	ev := evidenceOf(t, events, reviewpack.CoverOptions{Committee: "Scrutiny Committee", Meetings: []string{"Scrutiny Committee=2016-06-30"}})
	r, err := reviewpack.Compose(context.Background(), ev)
	require.NoError(t, err)
	return &reviewpack.Pack{Report: r, Evidence: ev}
}

// pdfText is the text of a PDF as pdftotext reads it (poppler-utils; CI installs it).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pack.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o644))
	out, err := exec.Command("pdftotext", path, "-").Output()
	require.NoError(t, err, "pdftotext (apt-get install poppler-utils)")
	return string(out)
}

// TestEveryFormatTakesAnyText renders every format of a pack whose names, sources and categories are
// in many scripts: nothing fails, the HTML, Markdown and JSON hold the exact text, and the PDF prints
// what its fonts have, a visible mark for what they lack, and says so.
func TestEveryFormatTakesAnyText(t *testing.T) {
	t.Setenv("PDFDEBUG", "1") // uncompressed, so that the drawing operators can be read
	for _, tt := range textCorpus {
		t.Run(tt.name, func(t *testing.T) {
			p := packOf(t, withText(tt.text))
			out := map[string][]byte{}
			for _, format := range reviewpack.Formats {
				var buf bytes.Buffer
				require.NoError(t, p.Render(format, &buf), format)
				out[format] = buf.Bytes()
			}
			for _, format := range []string{"html", "md", "json"} {
				assert.Contains(t, string(out[format]), "Karen "+tt.text, "%s holds the exact text", format)
				assert.Contains(t, string(out[format]), "Shared management "+tt.text, "%s holds the exact text", format)
			}
			var f reviewpack.File
			require.NoError(t, json.Unmarshal(out["json"], &f))
			assert.Equal(t, "Shared management "+tt.text, f.Report.Name)

			assertRectsOnPage(t, out["pdf"])
			text := strings.Join(strings.Fields(pdfText(t, out["pdf"])), " ")
			assert.Contains(t, text, "Karen "+tt.pdf)
			assert.Contains(t, text, "Shared management "+tt.pdf)
			if strings.Contains(tt.pdf, pdfMark) {
				assert.Contains(t, text, pdfMarkNote)
			} else {
				assert.NotContains(t, text, pdfMark)
				assert.NotContains(t, text, "cannot be shown")
			}
			again := render(t, packOf(t, withText(tt.text)), "pdf")
			assert.Equal(t, out["pdf"], again, "the PDF is byte-identical when rebuilt")
		})
	}
}

// TestPDFBoundsLongText: a stored event may predate the limits on new input (a 100 KB category once
// made a 2,096-page PDF). Long text is cut in the PDF, with a note, and kept whole in the other formats.
func TestPDFBoundsLongText(t *testing.T) {
	tests := []struct{ name, text string }{
		{"unbroken", strings.Repeat("x", 100_000)},
		{"words", strings.Repeat("shared management ", 6_000)},
		{"emoji", strings.Repeat("👍🏽", 20_000)},
		{"lines", strings.Repeat("line\r\n", 20_000)},
		{"lone CRs", strings.Repeat("line\r", 20_000)},
	}
	t.Setenv("PDFDEBUG", "1") // uncompressed, so that the drawing operators can be read
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := packOf(t, withText(tt.text))
			pdf := render(t, p, "pdf")
			assertRectsOnPage(t, pdf)
			path := filepath.Join(t.TempDir(), "pack.pdf")
			require.NoError(t, os.WriteFile(path, pdf, 0o644))
			info, err := exec.Command("pdfinfo", path).Output()
			require.NoError(t, err, "pdfinfo (apt-get install poppler-utils)")
			pages := 0
			for _, l := range strings.Split(string(info), "\n") {
				if v, ok := strings.CutPrefix(l, "Pages:"); ok {
					pages, err = strconv.Atoi(strings.TrimSpace(v))
					require.NoError(t, err)
				}
			}
			assert.Positive(t, pages)
			assert.LessOrEqual(t, pages, 45, "one field must not make a PDF of hundreds of pages (tens: the text is cut where it appears)")
			text := strings.Join(strings.Fields(pdfText(t, pdf)), " ")
			assert.Contains(t, text, "cut short")
			assert.Contains(t, string(render(t, p, "html")), "Karen "+tt.text, "the HTML holds the whole text")
			assert.Contains(t, string(render(t, p, "md")), strings.Join(strings.Fields("Karen "+tt.text), " "), "the Markdown holds the whole text")
			var f reviewpack.File
			require.NoError(t, json.Unmarshal(render(t, p, "json"), &f))
			assert.Equal(t, "Shared management "+tt.text, f.Report.Name, "the JSON holds the whole text")
			t.Logf("%d pages", pages)
		})
	}
}

// FuzzPDFText puts arbitrary strings (invalid UTF-8, control characters, any plane) in every kind of
// place the PDF prints text: the cover, metadata and running header, paragraphs, boxes, bullets, table
// cells in both fonts, the chart and the glossary. Rendering never fails or panics.
func FuzzPDFText(f *testing.F) {
	for _, c := range textCorpus {
		f.Add(c.text)
	}
	for _, s := range []string{"", "\x00", "\xff\xfe", "a\r\nb\rc\td\n", "\u202e\u2066evil\u2069", "\U0010FFFF\uFFFF\uFFFE",
		"\u00ad\u200b\u2028\u2029", "(\\)", "\u0301start", "👩\u200d", strings.Repeat("😀", 300), strings.Repeat("\n", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := handReport()
		r.Name, r.Cover.Title, r.Cover.Author, r.Cover.Subject, r.Cover.Committee = s, s, s, s, s
		r.Summary = append(r.Summary, s)
		r.Recommendation = s
		r.Options[0].Heading = s
		r.Options[0].Facts[0].Text = s
		r.Chronology[0].What = s
		r.Chronology[0].Sources = append(r.Chronology[0].Sources, s)
		r.Appointments[0].Officer = s
		r.Finance.Rows[0].Council = s
		r.Finance.Chart.Categories[0] = s
		r.Finance.Chart.Series[0].Name = s
		r.Flags[0].Text = s
		r.Cover.Meetings[0].Body, r.Cover.Meetings[1].Meeting = s, s
		r.Risks[0].Text, r.Gaps[0].Why = s, s
		r.Register[0].ID = s // set in Go Mono
		r.TreeHead.Signature = s
		r.HowToVerify = append(r.HowToVerify, s)
		r.Glossary = append(r.Glossary, reviewpack.GlossaryItem{Term: s, Meaning: s})
		var buf bytes.Buffer
		require.NoError(t, (&reviewpack.Pack{Report: r}).Render("pdf", &buf))
		require.True(t, bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	})
}

// pdfRect is a rectangle operator as fpdf writes it: x y width height re, in points from the page's
// lower left corner (the height negative: drawn downwards).
var pdfRect = regexp.MustCompile(`(?m)^(-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) (-?[0-9.]+) re `)

// assertRectsOnPage checks that every rectangle drawn (table cells, boxes, chart bars) lies between
// the top of the page and the bottom margin: no row or box runs off its page.
func assertRectsOnPage(t *testing.T, pdf []byte) {
	t.Helper()
	const mm = 72 / 25.4
	rects := pdfRect.FindAllStringSubmatch(string(pdf), -1)
	require.NotEmpty(t, rects, "an uncompressed PDF (PDFDEBUG=1)")
	for _, m := range rects {
		y, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		h, err := strconv.ParseFloat(m[4], 64)
		require.NoError(t, err)
		top, bottom := max(y, y+h), min(y, y+h)
		assert.LessOrEqual(t, top, 297*mm+0.01, "rectangle %q above the page", m[0])
		assert.GreaterOrEqual(t, bottom, 20*mm-0.01, "rectangle %q runs into the bottom margin", m[0])
	}
}
