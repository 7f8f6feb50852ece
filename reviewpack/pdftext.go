package reviewpack

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-fonts/liberation/liberationmonoregular"
	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// The PDF is set in the Liberation fonts (SIL Open Font License 1.1; Liberation Sans has the metrics of
// Arial and Helvetica, which the HTML pack names, with lining figures and a true hyphen), which cover
// Latin (Welsh ŵ ŷ and Polish ł ą included), Greek and Cyrillic but not Arabic, Hebrew, Indic scripts, CJK or emoji, and fpdf neither shapes text nor falls
// back to other fonts; its width tables stop at U+FFFF (a rune past it indexes out of range). Every
// string is therefore mapped before fpdf sees it (pdfText): a character the fonts cannot print becomes
// pdfMissingMark and the section says so (pdfLossNote); text too long for a page is cut with
// pdfCutMark. The HTML, Markdown and JSON packs carry the text unchanged.
const (
	// pdfMissingMark stands for a character the embedded fonts have no glyph for (U+25A1 WHITE SQUARE,
	// the "tofu" box readers know from missing fonts).
	pdfMissingMark = '□'
	// pdfCutMark ends text cut short.
	pdfCutMark = "…"
	// pdfMaxText bounds one string of running text, in code points (a free-text field may hold 4,000,
	// and a sentence of the report adds words around it): about a page and a half of a full-width
	// paragraph.
	pdfMaxText = 5000
	// pdfMaxLines bounds the line breaks in one string of running text: about a page and a half.
	pdfMaxLines = 60
	// pdfMaxTitle bounds the cover's title, set in 22 pt, in code points.
	pdfMaxTitle = 400
	// pdfMaxCellLines bounds the lines of one table cell, so that a row fits on a page: about 22 cm at
	// 8 pt, with room for the table's header.
	pdfMaxCellLines = 60
	// pdfMaxBoxLines bounds the lines of a boxed paragraph (a flag, the recommendation), which is drawn
	// on one page: about 23 cm.
	pdfMaxBoxLines = 45
	// pdfMaxCoverLines bounds the lines of one value on the cover sheet: about 11 cm.
	pdfMaxCoverLines = 20
	// pdfMaxMeta bounds document metadata and bookmark titles, in code points.
	pdfMaxMeta = 400
)

// pdfLossNote is printed under a table (or at the end of a section) whose text the PDF could not show
// exactly; missing and cut say what happened.
func pdfLossNote(missing, cut bool) string {
	switch {
	case missing && cut:
		return "Some characters cannot be shown in this PDF and are printed as " + string(pdfMissingMark) +
			", and some text is cut short (ending " + pdfCutMark + "); the HTML and JSON packs hold the exact text."
	case missing:
		return "Some characters cannot be shown in this PDF and are printed as " + string(pdfMissingMark) +
			"; the HTML and JSON packs hold the exact text."
	case cut:
		return "Some text is cut short in this PDF (ending " + pdfCutMark + "); the HTML and JSON packs hold the exact text."
	}
	return ""
}

// runeSet is a set of code points of the Basic Multilingual Plane.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) has(r rune) bool { return r >= 0 && r < 0x10000 && s[r>>6]&(1<<(r&63)) != 0 }

// pdfFonts are the embedded fonts: text in Liberation Sans (regular and bold), hashes and ids in
// Liberation Mono. One typeface sets all text and digits.
var pdfFonts = []struct {
	family, style string
	ttf           []byte
}{
	{"sans", "", liberationsansregular.TTF},
	{"sans", "B", liberationsansbold.TTF},
	{"mono", "", liberationmonoregular.TTF},
}

// pdfGlyphs is the set of code points every embedded font (pdfFonts) maps to a
// glyph, read once from the fonts' cmap tables, so a string maps the same way whichever font sets it.
var pdfGlyphs = sync.OnceValues(func() (*runeSet, error) {
	var fonts []*sfnt.Font
	for _, pf := range pdfFonts {
		f, err := sfnt.Parse(pf.ttf)
		if err != nil {
			return nil, fmt.Errorf("reviewpack: pdf: embedded font: %w", err)
		}
		fonts = append(fonts, f)
	}
	var set runeSet
	var buf sfnt.Buffer
	for r := rune(0x20); r < 0x10000; r++ {
		if !printsAlone(r) {
			continue
		}
		all := true
		for _, f := range fonts {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				all = false
				break
			}
		}
		if all {
			set[r>>6] |= 1 << (r & 63)
		}
	}
	for _, r := range []rune{pdfMissingMark, '…', '?'} {
		if !set.has(r) {
			return nil, fmt.Errorf("reviewpack: pdf: the embedded fonts lack %q", r)
		}
	}
	return &set, nil
})

// pdfTextMapper maps text for the embedded fonts and remembers what it could not show since the
// last note about it.
type pdfTextMapper struct {
	glyphs       *runeSet
	missing, cut bool
}

// text returns s as the embedded fonts can print it, at most max code points (0: no limit):
//   - invalid UTF-8 becomes U+FFFD (which the fonts lack: it prints as pdfMissingMark); the text is put in Unicode Normalization Form C, so a letter
//     followed by a combining accent prints as the precomposed letter the fonts have (w + U+0302 → ŵ);
//   - CR LF and a lone CR become LF (callers that print one line handle LF), a tab becomes a space;
//   - any other character the fonts lack (control characters, characters past U+FFFF, scripts they do
//     not cover) becomes one pdfMissingMark; combining marks, joiners, variation selectors, tags and
//     emoji modifiers right after a mark, and the character after a zero-width joiner there, join that
//     mark, so an emoji sequence or a letter with its accents prints as one mark;
//   - text past max code points, or past pdfMaxLines line breaks, is cut and ends with pdfCutMark.
//
// The result holds only runes the fonts have and LF, so mapping it again changes nothing.
func (m *pdfTextMapper) text(s string, max int) string {
	if max > 0 && len(s) > max && utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + pdfCutMark
		m.cut = true
	}
	plain := m.plain(s)
	if !plain {
		s = strings.ToValidUTF8(s, "\uFFFD")
		if strings.IndexByte(s, '\r') >= 0 {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		}
		s = norm.NFC.String(s)
	}
	if max > 0 && strings.Count(s, "\n") > pdfMaxLines {
		end := 0
		for range pdfMaxLines {
			end += strings.IndexByte(s[end:], '\n') + 1
		}
		s = s[:end-1] + pdfCutMark
		m.cut = true
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	afterMark, joinNext := false, false
	for _, r := range s {
		switch {
		case r == '\n':
			afterMark, joinNext = false, false
			b.WriteByte('\n')
		case r == '\t':
			afterMark, joinNext = false, false
			b.WriteByte(' ')
		case m.glyphs.has(r):
			afterMark, joinNext = false, false
			b.WriteRune(r)
		case afterMark && (joinNext || joinsCluster(r)):
			joinNext = r == '\u200D' // a zero-width joiner: the next character is part of the sequence
		default:
			m.missing = true
			afterMark, joinNext = true, r == '\u200D'
			b.WriteRune(pdfMissingMark)
		}
	}
	return b.String()
}

// plain reports whether every byte of s is printable ASCII or LF, which the fonts all have and NFC
// leaves alone: most of a pack's text, mapped without copying.
func (m *pdfTextMapper) plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n') || c > 0x7E {
			return false
		}
	}
	return true
}

// printsAlone reports whether r, given a glyph, prints correctly on its own, as fpdf sets text: one
// glyph after another, left to right, without shaping. Combining marks, joiners and other format
// characters need positioning or shaping fpdf does not do, and right-to-left scripts (Hebrew, Arabic
// and their neighbours) would print in reverse, so they count as missing even where the fonts have
// glyphs for them.
func printsAlone(r rune) bool {
	return !unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc, unicode.Cf,
		unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko, unicode.Samaritan, unicode.Mandaic)
}

// joinsCluster reports whether r continues the character before it rather than starting one: a
// combining mark, a format character (zero-width joiner, tag characters), a variation selector or an
// emoji skin-tone modifier.
func joinsCluster(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc, unicode.Cf, unicode.Variation_Selector) ||
		(r >= 0x1F3FB && r <= 0x1F3FF)
}

// pdfMetaText returns s for a PDF text string outside the page content (document information and
// bookmarks), which viewers show in their own fonts: fpdf encodes these as UTF-16 without surrogate
// pairs, so a character past U+FFFF becomes U+FFFD, and control characters become spaces. At most
// pdfMaxMeta code points are kept.
func pdfMetaText(s string) string {
	cut := utf8.RuneCountInString(s) > pdfMaxMeta
	var b strings.Builder
	n := 0
	for _, r := range s {
		if cut && n == pdfMaxMeta-1 {
			b.WriteString(pdfCutMark)
			break
		}
		switch {
		case r > 0xFFFF:
			r = '\uFFFD'
		case unicode.IsControl(r):
			r = ' '
		}
		b.WriteRune(r) // invalid UTF-8 was read as U+FFFD
		n++
	}
	return b.String()
}
