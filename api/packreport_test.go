package api_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GET review-pack takes a meeting per body (meeting=BODY=DATE, repeated); one that is not BODY=DATE
// or names no body of the pack is a 400 naming the parameter.
func TestReviewPackMeetingPerBody(t *testing.T) {
	e := newEnv(t, false)
	md := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&format=md&meeting=north-norfolk:cabinet%3D2016-06-20&meeting=full%20council%3D2016-06-28", "", "")
	require.Equal(t, 200, md.status, string(md.body))
	assert.Contains(t, string(md.body), "| **Considered by** | Full council of Great Yarmouth Borough Council: meeting on 28 June 2016 (date given for this pack) |")
	assert.Contains(t, string(md.body), "| **Considered by** | Cabinet of North Norfolk District Council: meeting on 20 June 2016 (date given for this pack) |")

	for _, tt := range []struct{ meeting, detail string }{
		{"2016-06-30", "want BODY=DATE"},
		{"cabinet%3D2016-13-01", "is not a date"},
		{"scrutiny%3D2016-06-30", "is not a body the review is scheduled for"},
	} {
		for _, format := range []string{"md", "pdf"} {
			r := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&format="+format+"&meeting="+tt.meeting, "", "")
			require.Equal(t, 400, r.status, "%s: %s", tt.meeting, r.body)
			assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json"))
			p := problemOf(t, r)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, "meeting", p.Errors[0].Parameter)
			assert.Contains(t, p.Errors[0].Detail, tt.detail)
		}
	}
}
