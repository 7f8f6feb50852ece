package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateUsesTheOneFormatters: ledger state writes money and shares as the pages and packs do
// (domain.Pence.String, SignedString for a difference, domain.BasisPoints.String): "£40,000" not
// "£40,000.00", "50%" not "50.00%", and a saving above its target with its plus sign. A figure that
// was not recorded is "-", never £0: the demo sets no target for 2015/16, so there is nothing to be
// above or below until one is recorded.
func TestStateUsesTheOneFormatters(t *testing.T) {
	store := seeded(t)
	state := func() string {
		r := ledger(t, nil, "state", "--store", store, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-03-31")
		require.Equal(t, 0, r.code, r.stderr)
		return r.stdout
	}
	out := state()
	assert.Contains(t, out, "great-yarmouth 50%, north-norfolk 50%")
	assert.Contains(t, out, "£40,000")
	assert.NotContains(t, out, ".00%")
	assert.NotContains(t, out, "£40,000.00")
	assert.NotContains(t, out, "£0", "no target, outturn or one-off cost is recorded: none is shown as £0")
	assert.Regexp(t, `2015/16  north-norfolk +not recorded +£40,000 +not recorded +not recorded +cannot be worked out: one-off costs not recorded +not recorded`, out)

	r := ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "SavingsTargetSet", "--effective", "2016-01-01",
		"--data", `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":3000000}`,
		"--source", `{"kind":"minutes","title":"Cabinet"}`, "--certainty", "confirmed")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `2015/16  north-norfolk +£30,000 +£40,000 +not recorded +not recorded +cannot be worked out: one-off costs not recorded +not recorded`, state(),
		"no one-off costs recorded: no net, nothing against the target")
	r = ledger(t, nil, "record", "--store", store, "--partnership", gnn, "--type", "OneOffCostIncurred", "--effective", "2016-01-01",
		"--data", `{"council":"north-norfolk","financial_year":2015,"category":"recruitment","amount_pence":500000}`,
		"--source", `{"kind":"minutes","title":"Cabinet"}`, "--certainty", "confirmed")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `2015/16  north-norfolk +£30,000 +£40,000 +not recorded +£5,000 +£35,000 \(forecast\) +\+£5,000 `, state())
}

// Values from the store are escaped wherever the CLI prints them: a recorder's resolution with a line
// feed, a carriage return and a tab cannot forge a line of state or replay (before, state printed it
// raw through the report writer, which let a value's line feeds and tabs pass as layout).
func TestHostileValuesCannotForgeLines(t *testing.T) {
	store := seeded(t)
	forged := "  makes true: chief executive is Mallory"
	resolution := "To do a thing.\n" + forged + "\r\tX"
	data := `{"minute":{"council":"great-yarmouth","body":"cabinet","meeting":"2016-06-01","raw":"C9\nforged minute"},` +
		`"resolution":` + strconv.Quote(resolution) + `,"outcome":"approved","key_decision":false,"call_in_applies":false}`
	rec := ledger(t, nil, "record", "--store", store, "--partnership", "great-yarmouth-north-norfolk", "--type", "DecisionTaken",
		"--effective", "2016-06-01", "--data", data, "--source", "minutes:Cabinet 1 June 2016")
	require.Equal(t, 0, rec.code, rec.stderr)

	for name, args := range map[string][]string{
		"state":   {"state", "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-12-31"},
		"replay":  {"replay", "--partnership", "great-yarmouth-north-norfolk", "--type", "DecisionTaken"},
		"history": {"history", "--partnership", "great-yarmouth-north-norfolk"},
	} {
		r := ledger(t, nil, append(args, "--store", store)...)
		require.Equal(t, 0, r.code, "%s: %s", name, r.stderr)
		assert.NotContains(t, r.stdout, "\r", name)
		for _, line := range strings.Split(r.stdout, "\n") {
			assert.False(t, strings.HasPrefix(strings.TrimSpace(line), strings.TrimSpace(forged)), "%s forges a line: %q", name, line)
			assert.False(t, strings.HasPrefix(line, "forged minute"), "%s forges a line: %q", name, line)
		}
		if name != "history" {
			assert.Contains(t, r.stdout, `To do a thing.\n`+forged+`\r\tX`, "%s shows the value escaped", name)
		}
	}
}

// A lying --server cannot forge lines either: a council's name with a line feed and a tab, sent by a
// server, shows escaped in the partners table of 'ledger state --server' (it broke the table).
func TestLyingServerCannotForgeLines(t *testing.T) {
	s := startServe(t, seeded(t))
	target, err := url.Parse(s.base)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		res.Body.Close()
		b = bytes.ReplaceAll(b, []byte("Great Yarmouth Borough Council"), []byte(`Great Yarmouth\nFORGED LINE\tcell`))
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Del("Content-Length")
		res.Header.Del("ETag")
		return nil
	}
	liar := httptest.NewServer(proxy)
	defer liar.Close()

	r := ledger(t, nil, "state", "--server", liar.URL, "--partnership", "great-yarmouth-north-norfolk", "--as-of", "2016-06-30")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `Great Yarmouth\nFORGED LINE\tcell`, "the name is shown escaped")
	for _, line := range strings.Split(r.stdout, "\n") {
		assert.False(t, strings.HasPrefix(strings.TrimSpace(line), "FORGED LINE"), "a forged line: %q", line)
	}
}

// Dates in prose are Date.Long ("7 October 2015"); ISO dates are for machine fields. 'ledger state'
// wrote "Trial period: 2015-10-07 to 2016-06-30".
func TestStateProseDatesAreLong(t *testing.T) {
	store := seeded(t)
	r := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-03-31")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Trial period: from 7 November 2015 to 30 June 2016", "from the first joint appointment")
	assert.NotContains(t, r.stdout, "Trial period: 2015-")
}
