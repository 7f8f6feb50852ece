package reviewpack_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestTreeHeadTimeIsNotASigningTime: Appendix B labels the tree head's timestamp as the time its
// last event was recorded (docs/integrity.md: the recorded_at of event size), never a bare
// "Timestamp" a member could read as when the head was signed (issue 21, committee reader's point 6).
func TestTreeHeadTimeIsNotASigningTime(t *testing.T) {
	p := demoPackAsOf(t, "2016-06-15")
	want := "Last event recorded (not when signed)"
	md := string(render(t, p, "md"))
	html := string(render(t, p, "html"))
	pdf := strings.Join(strings.Fields(pdfText(t, render(t, p, "pdf"))), " ")
	for name, text := range map[string]string{"md": md, "html": html, "pdf": pdf} {
		assert.Contains(t, text, want, name)
		if name == "html" { // [n] is a link there
			assert.Contains(t, text, "was recorded; the head carries no signing time", name)
			continue
		}
		assert.Contains(t, text, "when event ["+strconv.FormatUint(p.Report.TreeHead.Size, 10)+"] was recorded; the head carries no signing time", name)
	}
	assert.NotContains(t, md, "**Timestamp**")
	assert.NotContains(t, html, `<th scope="row">Timestamp</th>`)
	assert.NotContains(t, pdf, "Timestamp 20")
}
