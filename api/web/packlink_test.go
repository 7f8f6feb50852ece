package web_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
)

// The page's pack downloads are for the page's point in both times (docs/pages.md). A page asked with
// as_of alone shows everything recorded; its packs must too, not the pack's own default known_at (the
// end of the as-of day), or a correction recorded since (here today's correction of [10]'s role to
// monitoring officer) is on the page and missing from its pack: the tester's finding, where the pack
// said "Head of paid service | Sheila Oxtoby | … [8, 10, 22]" and "No monitoring officer is recorded
// for Great Yarmouth Borough Council" under a page reading "monitoring officer … [10] [31]".
func TestPagePackLinkIsThePagesPointInBothTimes(t *testing.T) {
	srv := newServerWith(t, func(cfg *web.Config) {
		_, err := cfg.Recorder.Record(context.Background(), "test", domain.Command{Partnership: demo.GreatYarmouthNorthNorfolk,
			Type: domain.TypeEventCorrected, EffectiveOn: "2016-06-01", Certainty: "reported",
			Sources: []domain.SourceRef{{Kind: domain.SourcePress, Title: "Eastern Daily Press, 2 March 2016"}},
			Data:    []byte(`{"target":"740d715a-9a36-5981-ad2d-c501927ab515","data":{"role":"monitoring_officer"},"reason":"the minute designates her monitoring officer"}`)}, nil)
		require.NoError(t, err)
	})
	status, page := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-06-15")
	require.Equal(t, 200, status)
	assert.Contains(t, page, "monitoring officer")
	link := regexp.MustCompile(`href="(/partnerships/[^"]+/pack\.md\?[^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, link, "the page links its Markdown pack")
	assert.Contains(t, html.UnescapeString(link[1]), "known_at=31", "the seq the page was read at")

	status, md := get(t, srv.Client(), srv.URL+html.UnescapeString(link[1]))
	require.Equal(t, 200, status, md)
	assert.Contains(t, md, "| Great Yarmouth Borough Council | Monitoring officer | Sheila Oxtoby | 2015-11-07 | inferred [10, 31] |")
	assert.Contains(t, md, "| Great Yarmouth Borough Council | Head of paid service | Sheila Oxtoby | 2015-11-07 | inferred [8, 22] |")
	gaps := md[strings.Index(md, "\n## 9."):]
	gaps = gaps[:strings.Index(gaps[3:], "\n## ")+3]
	assert.Contains(t, gaps, "No monitoring officer is recorded for North Norfolk District Council.")
	assert.NotContains(t, gaps, "No monitoring officer is recorded for Great Yarmouth Borough Council")

	// A page asked at a known_at passes it on as asked: the June pack of a June page.
	_, june := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-06-15&known_at=2016-06-15")
	assert.Contains(t, june, "pack.md?as_of=2016-06-15&amp;known_at=2016-06-15")
}
