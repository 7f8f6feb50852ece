package reviewpack_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChronologyMarksAssumedMinutes: a decision's line in the chronology ("What happened") prints
// its minute with what its sources mark assumed (words.Cited), in md, html and pdf, as the
// "Minutes and sources" cell beside it does (issue 21's acceptance test: [6] and [7] were unmarked).
func TestChronologyMarksAssumedMinutes(t *testing.T) {
	p := demoPackAsOf(t, "2016-10-01")
	want := []string{
		"Full Council 15 October 2015, item 8 (every detail assumed) (Great Yarmouth Borough Council, approved)",
		"Cabinet 19 October 2015, minute 10 (every detail assumed) (North Norfolk District Council, approved)",
	}
	md := string(render(t, p, "md"))
	html := string(render(t, p, "html"))
	for _, w := range want {
		assert.Contains(t, md, w, "md")
		assert.Contains(t, html, w, "html")
	}
	for _, text := range map[string]string{"md": md, "html": html} {
		assert.NotContains(t, text, "item 8 (Great Yarmouth")
		assert.NotContains(t, text, "minute 10 (North Norfolk")
	}
	path := filepath.Join(t.TempDir(), "pack.pdf")
	require.NoError(t, os.WriteFile(path, render(t, p, "pdf"), 0o644))
	out, err := exec.Command("pdftotext", path, "-").Output()
	require.NoError(t, err, "pdftotext (poppler-utils) is required")
	pdf := strings.Join(strings.Fields(string(out)), " ")
	for _, w := range want {
		assert.Contains(t, pdf, w, "pdf")
	}
}
