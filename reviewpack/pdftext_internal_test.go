package reviewpack

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// An internal test: pdfTextMapper's promise is about what reaches fpdf, which no renderer output shows
// exactly.

func TestPDFTextMapper(t *testing.T) {
	glyphs, err := pdfGlyphs()
	require.NoError(t, err)
	tests := []struct {
		name, in, want string
		missing, cut   bool
		max            int // 0: pdfMaxText
	}{
		{"ASCII unchanged", "Great Yarmouth (£40,000)", "Great Yarmouth (£40,000)", false, false, 0},
		{"Welsh and Polish", "ŵ ŷ ł ą Ł", "ŵ ŷ ł ą Ł", false, false, 0},
		{"combining accent composed", "w\u0302", "ŵ", false, false, 0},
		{"accent with no precomposed letter", "q\u0307", "q□", true, false, 0},
		{"emoji ZWJ sequence is one mark", "a👩\u200d👩\u200d👧b", "a□b", true, false, 0},
		{"skin tone and variation selector join", "👍🏽❤\ufe0f", "□□", true, false, 0},
		{"flag with tags is one mark", "🏴\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F", "□", true, false, 0},
		{"supplementary CJK", "𠀋𡈽", "□□", true, false, 0},
		{"line ends", "a\r\nb\rc\td", "a\nb\nc d", false, false, 0},
		{"control characters", "a\x00b\x7fc\u0085d", "a□b□c□d", true, false, 0},
		{"bidi controls shown", "\u202eabc", "□abc", true, false, 0},
		{"invalid UTF-8", "a\xffb", "a□b", true, false, 0},
		{"cut at max", strings.Repeat("x", 12), strings.Repeat("x", 9) + "…", false, true, 10},
		{"cut at max counts code points", strings.Repeat("ŵ", 10), strings.Repeat("ŵ", 10), false, false, 10},
		{"too many lines", strings.Repeat("a\n", pdfMaxLines+5), strings.Repeat("a\n", pdfMaxLines-1) + "a…", false, true, 0},
		{"lone CRs count as lines", strings.Repeat("a\r", pdfMaxLines+5), strings.Repeat("a\n", pdfMaxLines-1) + "a…", false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := pdfTextMapper{glyphs: glyphs}
			if tt.max == 0 {
				tt.max = pdfMaxText
			}
			assert.Equal(t, tt.want, m.text(tt.in, tt.max))
			assert.Equal(t, tt.missing, m.missing, "missing")
			assert.Equal(t, tt.cut, m.cut, "cut")
		})
	}
}

// FuzzPDFTextMapper: whatever the input, the mapped text holds only characters every embedded font
// has (and LF), at most max code points, and mapping it again changes nothing and loses nothing.
func FuzzPDFTextMapper(f *testing.F) {
	for _, s := range []string{"", "ŵ ŷ", "👩\u200d👩\u200d👧", "\xff", "a\r\n", "e\u0301", "\U0010FFFF", strings.Repeat("\n", 70)} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	glyphs, err := pdfGlyphs()
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<20 {
			max = 0
		}
		m := pdfTextMapper{glyphs: glyphs}
		out := m.text(s, max)
		require.True(t, utf8.ValidString(out))
		for _, r := range out {
			require.True(t, r == '\n' || glyphs.has(r), "%U reaches fpdf", r)
		}
		if max > 0 {
			// NFC can only shorten here: it composes, and the fonts have no character that decomposes to more.
			require.LessOrEqual(t, utf8.RuneCountInString(out), max)
		}
		again := pdfTextMapper{glyphs: glyphs}
		require.Equal(t, out, again.text(out, max))
		require.False(t, again.missing || again.cut)
	})
}

// TestPDFTypeface is the regression test for a pack whose hyphens printed as long dashes and whose
// digits looked like another typeface (the Go fonts: a hyphen wider than their en dash, slab-footed
// figures): the text font's hyphen is narrower than its en dash, and its figures share one width.
func TestPDFTypeface(t *testing.T) {
	f, err := sfnt.Parse(pdfFonts[0].ttf)
	require.NoError(t, err)
	var buf sfnt.Buffer
	adv := func(r rune) fixed.Int26_6 {
		g, err := f.GlyphIndex(&buf, r)
		require.NoError(t, err)
		require.NotZero(t, g, "the text font has %q", r)
		a, err := f.GlyphAdvance(&buf, g, fixed.I(1000), font.HintingNone)
		require.NoError(t, err)
		return a
	}
	assert.Less(t, adv('-'), adv('–')*3/4, "a hyphen is clearly shorter than an en dash")
	for r := '1'; r <= '9'; r++ {
		assert.Equal(t, adv('0'), adv(r), "figures of one width, %q", r)
	}
	assert.Equal(t, "sans", pdfFonts[0].family)
	assert.Equal(t, pdfFonts[0].family, pdfFonts[1].family, "bold is the same typeface")
}
