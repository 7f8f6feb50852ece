package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/contracttest"
)

// TestOpenAPIMatchesEveryRoute calls every operation of the document for real, and each exchange is
// validated by the library (github.com/getkin/kin-openapi, contract_test.go): the request, when the
// server accepted it, and the answer's status, content type, headers and body. The test server of
// newEnv does that for every call of the suite; here each call is also checked to reach an operation
// of the document, and every operation is called: the document cannot drift.
func TestOpenAPIMatchesEveryRoute(t *testing.T) {
	e := newEnv(t, false)
	contract := theDocument(t)
	served := e.do(t, "GET", "/openapi.json", "", "")
	require.Equal(t, 200, served.status)
	assert.JSONEq(t, string(api.OpenAPI()), string(served.body))

	rec := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 77))
	require.Equal(t, 201, rec.status, string(rec.body))
	var stored struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(rec.body, &stored))
	issued := e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"role":"reader","actor":"openapi test"}`)
	var tok struct {
		TokenID string `json:"token_id"`
	}
	require.NoError(t, json.Unmarshal(issued.body, &tok))

	calls := []struct {
		method, template, path, token, body string
		status                              int
	}{
		{"GET", "/v1/partnerships", "/v1/partnerships?as_of=2015-11-07", "", "", 200},
		{"GET", "/v1/partnerships", "/v1/partnerships?as_of=2015-13-07", "", "", 400},
		{"GET", "/v1/partnerships/{id}", gnn + "?as_of=2015-11-07&known_at=2016-06-01", "", "", 200},
		{"GET", "/v1/partnerships/{id}", gnn + "?as_of=2015-06-01", "", "", 200}, // before anything: no evidence yet
		{"GET", "/v1/partnerships/{id}", "/v1/partnerships/nobody-here", "", "", 404},
		{"GET", "/v1/partnerships/{id}", gnn, "not-a-token", "", 401},
		{"GET", "/v1/partnerships/{id}/appointments", gnn + "/appointments?as_of=2015-11-07", "", "", 200},
		{"GET", "/v1/partnerships/{id}/services", gnn + "/services", "", "", 200},
		{"GET", "/v1/partnerships/{id}/savings", gnn + "/savings?as_of=2016-03-31", "", "", 200},
		{"GET", "/v1/partnerships/{id}/decisions", gnn + "/decisions", "", "", 200},
		{"GET", "/v1/partnerships/{id}/timeline", gnn + "/timeline?known_at=5", "", "", 200},
		{"GET", "/v1/partnerships/{id}/events", gnn + "/events?limit=3", "", "", 200},
		{"POST", "/v1/partnerships/{id}/events", gnn + "/events", e.recorder, fmt.Sprintf(savings, 78), 201},
		{"POST", "/v1/partnerships/{id}/events", gnn + "/events", e.recorder, `{"nope":1}`, 400},
		{"POST", "/v1/partnerships/{id}/events", gnn + "/events", "", fmt.Sprintf(savings, 78), 401},
		{"POST", "/v1/partnerships/{id}/events", gnn + "/events", e.auditor, fmt.Sprintf(savings, 78), 403},
		{"GET", "/v1/events", "/v1/events?after=3&limit=5", "", "", 200},
		{"GET", "/v1/events/{id}", "/v1/events/" + stored.ID, "", "", 200},
		{"GET", "/v1/events/{id}/proof", "/v1/events/" + stored.ID + "/proof", "", "", 200},
		{"GET", "/v1/audit/tree-head", "/v1/audit/tree-head?size=10", "", "", 200},
		{"GET", "/v1/audit/consistency", "/v1/audit/consistency?from=10", "", "", 200},
		{"GET", "/v1/audit/verify", "/v1/audit/verify", e.auditor, "", 200},
		{"GET", "/v1/audit/key", "/v1/audit/key", "", "", 200},
		{"GET", "/checkpoint", "/checkpoint", "", "", 200},
		{"POST", "/v1/admin/tokens", "/v1/admin/tokens", e.admin, `{"role":"auditor","actor":"Scrutiny officer"}`, 201},
		{"DELETE", "/v1/admin/tokens/{id}", "/v1/admin/tokens/" + tok.TokenID, e.admin, "", 204},
		{"GET", "/v1/partnerships/{id}/review-pack", gnn + "/review-pack?as_of=2016-06-15&format=json", "", "", 200},
		{"GET", "/v1/admin/backup", "/v1/admin/backup", e.admin, "", 200},
		{"GET", "/v1/admin/backup", "/v1/admin/backup", e.auditor, "", 403},
		{"GET", "/healthz", "/healthz", "", "", 200},
		{"GET", "/metrics", "/metrics", "", "", 200},
		{"GET", "/openapi.json", "/openapi.json", "", "", 200},
		{"GET", "/readyz", "/readyz", "", "", 200},
	}
	called := map[string]bool{}
	for _, c := range calls {
		t.Run(fmt.Sprintf("%s %s %d", c.method, c.path, c.status), func(t *testing.T) {
			if c.path == "/readyz" {
				e.settle(t) // the token calls above appended events: ready once they are folded
			}
			req, err := http.NewRequest(c.method, e.srv.URL+c.path, nil)
			require.NoError(t, err)
			template, err := contract.Operation(req)
			require.NoError(t, err, "the document describes %s %s", c.method, c.path)
			assert.Equal(t, c.template, template)
			called[c.method+" "+template] = true
			r := e.do(t, c.method, c.path, c.token, c.body) // the test server validates the exchange
			require.Equal(t, c.status, r.status, "%.300s", r.body)
			if r.status == 200 && r.header.Get("ETag") != "" && c.method == "GET" {
				again := e.do(t, c.method, c.path, c.token, "", "If-None-Match", r.header.Get("ETag"))
				assert.Equal(t, 304, again.status, "If-None-Match with the ETag")
			}
		})
	}
	t.Run("GET /v1/stream 200", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/v1/stream?after=3", nil)
		require.NoError(t, err)
		req.Header.Set(contracttest.CallerHeader, "this test")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, 200, res.StatusCode)
		contractOf(t, res.Header) // a stream's status and headers are checked as they go out
		line, err := bufio.NewReader(res.Body).ReadString('\n')
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(line, ":"), "the stream opens with a comment: %q", line)
		called["GET /v1/stream"] = true
	})
	for path, item := range contract.Doc.Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, called[method+" "+path], "%s %s is called by this test", method, path)
		}
	}
}

// Issue 22 (tester, point 4): /openapi.json answers with an ETag of its bytes and 304 to a matching
// If-None-Match, as every other GET (it sent no ETag).
func TestOpenAPIHasAnETag(t *testing.T) {
	e := newEnv(t, false)
	r := e.do(t, "GET", "/openapi.json", "", "")
	require.Equal(t, 200, r.status)
	tag := r.header.Get("ETag")
	require.NotEmpty(t, tag)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	nm := e.do(t, "GET", "/openapi.json", "", "", "If-None-Match", tag)
	assert.Equal(t, 304, nm.status)
	assert.Empty(t, nm.body)
	assert.Equal(t, tag, nm.header.Get("ETag"))
	assert.Equal(t, 200, e.do(t, "GET", "/openapi.json", "", "", "If-None-Match", `"other"`).status)
	assert.Equal(t, tag, e.do(t, "HEAD", "/openapi.json", "", "").header.Get("ETag"))
}
