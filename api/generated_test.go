package api_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/openapigen"
	"github.com/partnership-ledger/ledger/domain"
)

var update = flag.Bool("update", false, "rewrite the generated files (api/openapi.json, docs/events.md) from the code")

// TestOpenAPIGenerated holds the checked-in, embedded and served api/openapi.json, and docs/events.md,
// equal byte for byte to what openapigen builds from api/openapi.src.json and the Go types. After
// editing the source or a type: go test ./api -run TestOpenAPIGenerated -update
func TestOpenAPIGenerated(t *testing.T) {
	const fix = "edit api/openapi.src.json or the Go types, then run go test ./api -run TestOpenAPIGenerated -update"
	src, err := os.ReadFile("openapi.src.json")
	require.NoError(t, err)
	doc, err := openapigen.Build(src)
	require.NoError(t, err)
	events := filepath.Join("..", "docs", "events.md")
	files := map[string][]byte{"openapi.json": doc, events: openapigen.EventsDoc()}
	for name, want := range files {
		if *update {
			require.NoError(t, os.WriteFile(name, want, 0o644))
		}
		got, err := os.ReadFile(name)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s is generated: %s", name, fix)
	}
	if !*update { // the binary embedded the file as it was before the rewrite
		require.Equal(t, string(doc), string(api.OpenAPI()), "the embedded document is the generated one: %s", fix)
	}
}

// TestEventsDocAnchors: every docs/events.md#anchor the document names is a heading of docs/events.md.
func TestEventsDocAnchors(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "events.md"))
	require.NoError(t, err)
	headings := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings[strings.ToLower(h)] = true
		} else if h, ok := strings.CutPrefix(line, "### "); ok {
			headings[strings.ToLower(h)] = true
		}
	}
	links := regexp.MustCompile(regexp.QuoteMeta("docs/events.md")+`#([a-z0-9-]+)`).FindAllStringSubmatch(string(api.OpenAPI()), -1)
	require.NotEmpty(t, links)
	for _, l := range links {
		assert.True(t, headings[l[1]], "docs/events.md has no heading for #%s", l[1])
	}
}

// TestErrorsLinkTheCatalogue: a refused event type names docs/events.md; a refusal of a known type's
// data names the type's section.
func TestErrorsLinkTheCatalogue(t *testing.T) {
	e := newEnv(t, false)
	unknown := strings.Replace(fmt.Sprintf(savings, 100), `"type":"SavingsReported"`, `"type":"SavingsMerged"`, 1)
	r := e.do(t, "POST", gnn+"/events", e.recorder, unknown)
	require.Equal(t, 400, r.status, "%s", r.body)
	assert.Contains(t, problemOf(t, r).Detail, "docs/events.md")
	assert.NotContains(t, string(r.body), "docs/domain.md")

	r = e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, int64(domain.MaxAmountPence)+1))
	require.Equal(t, 422, r.status, "%s", r.body)
	p := problemOf(t, r)
	assert.Contains(t, p.Detail, "SavingsReported is described in docs/events.md#savingsreported")
	require.NotEmpty(t, p.Errors)
	assert.Equal(t, "/data/amount_pence", p.Errors[0].Pointer)
}
