package web_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The partnership page prints a minute with what its sources mark assumed, as the pack does (issue
// 21's acceptance test: the partners' "since" line and the timeline read assumed minutes as known).
func TestPageMarksAssumedMinutes(t *testing.T) {
	srv := newServerWith(t, nil)
	_, body := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-06-15")
	status := body[strings.Index(body, `id="status-h"`):strings.Index(body, `id="people-h"`)]
	assert.Contains(t, status, "(Full Council 15 October 2015, item 8 (every detail assumed))")
	assert.Contains(t, status, "(Cabinet 19 October 2015, minute 10 (every detail assumed))")
	assert.Contains(t, body, "Full Council 15 October 2015, item 8 (every detail assumed) (Great Yarmouth Borough Council, approved)", "timeline")
	assert.Contains(t, body, "Cabinet 19 October 2015, minute 10 (every detail assumed) (North Norfolk District Council, approved)", "timeline")
	assert.NotContains(t, body, "item 8)")
	assert.NotContains(t, body, "item 8 (Great")
}
