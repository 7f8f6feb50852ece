package web_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/partnership-ledger/ledger/domain"
)

// TestFormsRefuseUnreadableInvisibleAndMultiLineText (a hostile tester's findings): bytes that are not
// UTF-8 are refused at their field and echoed as U+FFFD so the page stays UTF-8; the U+FFFD that echo
// (or a NUL from a browser) leaves is refused on a resend, not recorded; a category of only invisible
// characters is "required".
func TestFormsRefuseUnreadableInvisibleAndMultiLineText(t *testing.T) {
	srv, store := formsServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	recordUpTo(t, c, srv.URL, csrf, domain.TypeBusinessCasePublished)
	tests := []struct{ name, field, value, says string }{
		{"bytes not UTF-8", "/data/category", "a\xff\xfeb", "contains bytes that are not UTF-8 text"},
		{"U+FFFD echoed back", "/data/category", "a\ufffdb", "could not be read (U+FFFD)"},
		{"zero-width space only", "/data/category", "\u200b", "is required"},
		{"format characters only", "/data/category", "\u200b\u2060\ufeff \u00ad", "is required"},
		{"source title of a zero-width space", "/sources/0/title", "\u200b", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := headSeq(t, store)
			tf := formOf(t, domain.TypeSavingsReported)
			tf.Values.Set(tt.field, tt.value)
			res, page := postTypeForm(t, c, srv.URL, csrf, tf, formKey())
			assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			assert.True(t, utf8.ValidString(page), "the answered page is UTF-8 text")
			msg := fieldError(t, page, idOf(tt.field)+"-error")
			assert.Contains(t, strings.ToLower(msg), strings.ToLower(tt.says))
			assert.Equal(t, before, headSeq(t, store), "nothing was written")
		})
	}
}
