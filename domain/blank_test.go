package domain_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/domain"
)

// TestBlankAndOneLine: text of only white space and invisible format characters is Blank (so "is
// required").
func TestBlankAndOneLine(t *testing.T) {
	for _, s := range []string{"", " ", "\u200b", "\u200b\u2060\ufeff\u00ad \t", "\u200d\u200c"} {
		assert.True(t, domain.Blank(s), "%q", s)
	}
	for _, s := range []string{"a", "\u200ba", "👩‍👩‍👧", "a\u0301"} {
		assert.False(t, domain.Blank(s), "%q", s)
	}
}

// FuzzTextLimitProblem: the rule never panics, and a name it accepts is valid UTF-8 within the limit.
func FuzzTextLimitProblem(f *testing.F) {
	for _, s := range []string{"shared management", "a\tb", "\u200b", "a\xff\xfeb", "a\x00", strings.Repeat("x", 201)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = domain.Blank(s)
		if domain.TextLimitProblem(s, domain.MaxNameRunes) == "" {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > domain.MaxNameRunes {
				t.Fatalf("accepted %q as a name", s)
			}
		}
	})
}
