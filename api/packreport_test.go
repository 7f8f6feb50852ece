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
		{"2016-06-30", "want BODY=YYYY-MM-DD"},
		{"cabinet%3D2016-13-01", "2016-13-01 is not a valid date"},
		{"cabinet%3D2016-06-20%3Dx", `"cabinet=2016-06-20=x" has 2 '='`},
		{"cabinet%3D1066-01-01", "1066-01-01 is outside the dates the ledger accepts"},
		{"cabinet%3D2016-06-14", "the meeting is before the date the pack describes (as of 2016-06-15)"},
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

// since= on the review pack: the changes since the last report's known-at, parsed as known_at is;
// one that is malformed, "all", or not before the pack's known-at is a 400 naming the parameter.
func TestReviewPackSince(t *testing.T) {
	e := newEnv(t, false)
	md := e.do(t, "GET", gnn+"/review-pack?as_of=2016-10-15&known_at=2016-10-15&since=2016-06-15&format=md", "", "")
	require.Equal(t, 200, md.status, string(md.body))
	assert.Contains(t, string(md.body), "## 10. Changes since the last report")
	assert.Contains(t, string(md.body), "seven events of this partnership were recorded")
	plain := e.do(t, "GET", gnn+"/review-pack?as_of=2016-10-15&known_at=2016-10-15&format=md", "", "")
	require.Equal(t, 200, plain.status)
	assert.NotContains(t, string(plain.body), "Changes since the last report", "a pack without since is not served from the cache of one with it")

	for _, tt := range []struct{ query, detail string }{
		{"since=2016-06-15&known_at=2016-06-15", "is not before the pack's known-at"},
		{"since=2016-07-01&known_at=2016-06-15", "is not before the pack's known-at"},
		{"since=all", "want the known-at of the last report"},
		{"since=", "since is empty: give a seq, an RFC 3339 time or a date YYYY-MM-DD, or leave the parameter out"},
		{"since=soon", "want a seq number"},
		{"since=%203", "without spaces"}, // issue 21: " 3" was taken as 3
		{"since=5&since=6", "since is given 2 times: give it once"},
	} {
		r := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&format=md&"+tt.query, "", "")
		require.Equal(t, 400, r.status, "%s: %s", tt.query, r.body)
		p := problemOf(t, r)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "since", p.Errors[0].Parameter)
		assert.Contains(t, p.Errors[0].Detail, tt.detail)
	}
	r := e.do(t, "GET", gnn+"/review-pack?as_of=2016-06-15&as_of=2016-06-16&format=md", "", "")
	require.Equal(t, 400, r.status, "%s", r.body)
	assert.Equal(t, "as_of", problemOf(t, r).Errors[0].Parameter, "a repeated as_of is refused, not one chosen")
}
