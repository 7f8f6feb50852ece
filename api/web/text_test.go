package web_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestPagesTakeAnyText records a savings report whose category and source, and a partnership whose
// name, purpose and council are in many scripts (emoji with a zero-width joiner, Arabic, CJK past the
// Basic Multilingual Plane, Welsh, a combining accent): the list, partnership and event pages show the
// text exactly, and every pack format downloads (the PDF once failed with a 500).
func TestPagesTakeAnyText(t *testing.T) {
	const text = "shared management 👩‍👩‍👧 مجلس 共享 𠀋 Cyngor ŵ ŷ a\u0301"
	j, err := json.Marshal(text)
	require.NoError(t, err)
	srv := newServerWith(t, func(cfg *web.Config) {
		var cmd domain.Command
		require.NoError(t, json.Unmarshal(fmt.Appendf(nil, `{"partnership":%q,"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported",
			"sources":[{"kind":"press","title":%s}],
			"data":{"council":"north-norfolk","financial_year":2015,"category":%s,"amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}}`,
			demo.GreatYarmouthNorthNorfolk, j, j), &cmd))
		_, err := cfg.Recorder.Record(context.Background(), "test clerk", cmd, nil)
		require.NoError(t, err)
		cmd = domain.Command{}
		require.NoError(t, json.Unmarshal(fmt.Appendf(nil, `{"partnership":"unicode-test","type":"PartnershipProposed","effective_on":"2016-01-04","certainty":"confirmed",
			"sources":[{"kind":"minutes","title":"Cabinet"}],
			"data":{"name":%s,"purpose":%s,"partners":[{"council":"cyngor-a","name":%s,"kind":"district"},{"council":"cyngor-b","name":"Cyngor B","kind":"district"}]}}`,
			j, j, j), &cmd))
		_, err = cfg.Recorder.Record(context.Background(), "test clerk", cmd, nil)
		require.NoError(t, err)
	})
	status, list := get(t, srv.Client(), srv.URL+"/")
	require.Equal(t, 200, status)
	assert.Contains(t, html.UnescapeString(list), text, "the list names the partnership exactly")
	status, named := get(t, srv.Client(), srv.URL+"/partnerships/unicode-test?as_of=2016-06-30")
	require.Equal(t, 200, status)
	assert.Contains(t, html.UnescapeString(named), text)
	status, body := get(t, srv.Client(), srv.URL+"/partnerships/unicode-test/pack.pdf?as_of=2016-06-30&known_at=all") // recorded today: after the default known_at
	require.Equal(t, 200, status, body)

	status, page := get(t, srv.Client(), srv.URL+gnn+"?as_of=2016-06-30")
	require.Equal(t, 200, status)
	assert.Contains(t, html.UnescapeString(page), text)

	ids := regexp.MustCompile(`href="/events/([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, ids)
	found := false
	for _, id := range ids {
		status, ev := get(t, srv.Client(), srv.URL+"/events/"+id[1])
		require.Equal(t, 200, status)
		found = found || strings.Contains(html.UnescapeString(ev), text)
	}
	assert.True(t, found, "an event page shows the text exactly")

	for _, format := range []string{"html", "pdf", "md", "json"} {
		t.Run(format, func(t *testing.T) {
			status, body := get(t, srv.Client(), srv.URL+gnn+"/pack."+format+"?as_of=2016-06-30&known_at=all")
			require.Equal(t, 200, status, body)
			if format != "pdf" {
				assert.Contains(t, body, text)
			}
		})
	}
}
