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

// TestSharingCandidatesNotProposals: a ServiceSharingProposed event records that the councils named
// a service as a possible candidate for sharing (the December 2015 article: back-office roles "could
// be shared" while a business case is looked at), so the chronology, the summary, options 3 and 4 and
// section 5 say that, never "proposed for sharing" (issue 21, committee reader's point 3).
func TestSharingCandidatesNotProposals(t *testing.T) {
	p := demoPackAsOf(t, "2016-06-15")
	md := string(render(t, p, "md"))
	pdf := strings.Join(strings.Fields(pdfText(t, render(t, p, "pdf"))), " ")
	for name, text := range map[string]string{"md": md, "pdf": pdf} {
		for _, w := range []string{
			"[18] | 2015-12-18 | Human resources named as a possible candidate for sharing by Great Yarmouth Borough Council and North Norfolk District Council. Note: A business case to be looked at",
			"Named as possible candidates for sharing, not yet shared: human resources and finance.",
			"Human resources has been named as a possible candidate for sharing (by Great Yarmouth Borough Council and North Norfolk District Council) but has not moved to shared delivery.",
			"Any sharing of human resources and finance, named as possible candidates for sharing, would not go ahead.",
			"named as a possible candidate for sharing by Great Yarmouth Borough Council and North Norfolk District Council | 2015-12-18",
		} {
			if name == "pdf" { // table cells wrap into their neighbours there
				if strings.Contains(w, "|") {
					continue
				}
			}
			assert.Contains(t, text, w, name)
		}
		assert.NotContains(t, strings.ToLower(text), "proposed for sharing", name)
		assert.NotContains(t, text, "Sharing human resources proposed", name)
	}
}
