package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
)

// Issue #18: 100k requests with made-up methods made /metrics 150 MB. Labels now come from closed
// sets, so any number of odd methods adds at most one "other" series per route and status.
func TestOddMethodsDoNotGrowMetrics(t *testing.T) {
	e := newEnv(t, false)
	e.do(t, "GET", "/v1/partnerships", "", "")
	e.do(t, "FROB0", "/v1/nothing", "", "")
	e.do(t, "FROB0", "/v1/partnerships", "", "")
	e.do(t, "FROB0", "/", "", "")
	e.do(t, "FROB0", "/metrics", "", "")
	before := e.do(t, "GET", "/metrics", "", "")
	require.Equal(t, 200, before.status)
	for i := range 600 {
		m := fmt.Sprintf("FROB%d", i)
		for _, path := range []string{"/v1/nothing", "/v1/partnerships", "/", "/metrics"} {
			r := e.do(t, m, path, "", "")
			require.Less(t, r.status, 500)
		}
	}
	after := e.do(t, "GET", "/metrics", "", "")
	require.Equal(t, 200, after.status)
	body := string(after.body)
	assert.NotContains(t, body, "FROB")
	// Counters grow in digits only; no new series.
	series := func(b []byte) int { return strings.Count(string(b), "ledger_http_request_duration_seconds_count{") }
	assert.LessOrEqual(t, series(after.body), series(before.body)+1, "at most the GET /metrics series is new")
	assert.Less(t, len(after.body), len(before.body)+4096, "the body stays the same size")
	for _, want := range []string{
		`ledger_http_request_duration_seconds_count{method="other",route="/v1/",status="404"} 601`,
		// A route's path with another method is 405 under that path's label (routes.go).
		`ledger_http_request_duration_seconds_count{method="other",route="/v1/partnerships",status="405"} 601`,
		`ledger_http_request_duration_seconds_count{method="other",route="/metrics",status="405"} 601`,
		`ledger_http_request_duration_seconds_count{method="other",route="/{$}",status="405"} 601`,
		`ledger_http_request_duration_seconds_count{method="GET",route="GET /v1/partnerships",status="200"} 1`,
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "ledger_store_seq",
		"ledger_projection_lag_events 0", "ledger_audit_tree_size",
	} {
		assert.True(t, strings.Contains(body, want), "/metrics lacks %s", want)
	}
}

// Issue #18: --private still gave the event count, recorded_at times, store seq and traffic to
// callers without a token.
func TestPrivateDeniesOperationalDetailsWithoutAToken(t *testing.T) {
	e := newEnv(t, true)
	for _, path := range []string{
		"/metrics",
		"/v1/audit/tree-head",
		"/v1/audit/tree-head?size=3",
		"/v1/audit/consistency?from=1&to=5",
		"/v1/events",
		"/v1/stream",
		"/v1/partnerships",
		gnn + "/review-pack?as_of=2016-06-30&format=md",
	} {
		r := e.do(t, "GET", path, "", "")
		assert.Equal(t, 401, r.status, path)
		assert.Equal(t, "application/problem+json", r.header.Get("Content-Type"), path)
		assert.NotContains(t, string(r.body), "seq", path)
		if path == "/v1/stream" {
			continue // with a token it streams until the client leaves
		}
		ok := e.do(t, "GET", path, e.auditor, "")
		assert.Equal(t, 200, ok.status, "%s with a token: %s", path, ok.body)
	}
	bare := e.do(t, "GET", "/readyz", "", "")
	assert.Equal(t, 200, bare.status)
	assert.Equal(t, "OK\n", string(bare.body), "only whether it is ready")
	full := e.do(t, "GET", "/readyz", e.auditor, "")
	assert.Equal(t, 200, full.status)
	assert.Contains(t, string(full.body), `"store_seq"`)
	assert.Equal(t, 200, e.do(t, "GET", "/healthz", "", "").status)

	pub := newEnv(t, false)
	assert.Equal(t, 200, pub.do(t, "GET", "/v1/audit/tree-head", "", "").status, "a public server's tree heads are public")
	assert.Contains(t, string(pub.do(t, "GET", "/readyz", "", "").body), `"store_seq"`)
}

// Issue #18: /v1 answers lacked nosniff and a CSP, and problem+json echoed the raw request path.
func TestSecurityHeadersAndNoRawEcho(t *testing.T) {
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<p>page</p>")
	})
	e := newEnvWith(t, false, func(c *api.Config) { c.Pages = pages })
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/v1/partnerships", ""},
		{"GET", gnn + "?as_of=2016-13-01", ""},
		{"GET", "/v1/audit/verify", ""},
		{"POST", gnn + "/events", e.recorder},
		{"GET", "/v1/no-such-route", ""},
		{"GET", "/", ""},
		{"GET", "/metrics", ""},
		{"GET", "/openapi.json", ""},
		{"GET", "/readyz", ""},
	} {
		r := e.do(t, tc.method, tc.path, tc.token, "")
		assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"), tc.path)
		assert.Contains(t, r.header.Get("Content-Security-Policy"), "default-src 'none'", tc.path)
		assert.Contains(t, r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'", tc.path)
	}

	for _, raw := range []string{
		"/v1/%3Cscript%3Ealert(1)%3C/script%3E",
		"/v1/partnerships/%22%3E%3Cimg%20src=x%3E",
		"/v1/events/%0d%0aSet-Cookie:%20x=1",
		"/v1/" + strings.Repeat("a", 400),
		"/v1/partnerships/x'y/appointments",
	} {
		r := e.do(t, "GET", raw, "", "")
		require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), raw)
		var p api.Problem
		require.NoError(t, json.Unmarshal(r.body, &p), raw)
		assert.NotEmpty(t, p.Instance)
		assert.NotContains(t, p.Instance, "<", raw)
		assert.NotContains(t, p.Instance, "\"", raw)
		assert.NotContains(t, p.Instance, "'", raw)
		assert.NotContains(t, p.Instance, "\n", raw)
		assert.LessOrEqual(t, len(p.Instance), 256, raw)
		assert.NotContains(t, string(r.body), "<script", raw)
	}
	r := e.do(t, "GET", "/v1/partnerships/x'y/appointments", "", "")
	var p api.Problem
	require.NoError(t, json.Unmarshal(r.body, &p))
	assert.Equal(t, "/v1/partnerships/{id}/appointments", p.Instance, "an unsafe path is named by its route")
	r = e.do(t, "GET", "/v1/partnerships/nowhere", "", "")
	require.NoError(t, json.Unmarshal(r.body, &p))
	assert.Equal(t, "/v1/partnerships/nowhere", p.Instance, "a plain path is kept")
}

// Issue #18: a lowercase "bearer" was refused; RFC 9110 §11.1 makes the scheme case-insensitive.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	e := newEnv(t, true)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		r := e.do(t, "GET", "/v1/audit/verify", "", "", "Authorization", scheme+" "+e.auditor)
		assert.Equal(t, 200, r.status, scheme)
	}
	for _, bad := range []string{"Basic " + e.auditor, "Bearer", "bearer ", e.auditor, "Bearerx " + e.auditor} {
		r := e.do(t, "GET", "/v1/partnerships", "", "", "Authorization", bad)
		assert.Equal(t, 401, r.status, bad)
	}
}

// Issue #18: an Idempotency-Key was not tied to the caller: a second token using the same key got the
// first caller's event back (or a 422 for "another body").
func TestIdempotencyKeysAreScopedToTheCaller(t *testing.T) {
	e := newEnv(t, false)
	key := []string{"Idempotency-Key", "monthly-return-2016-03"}
	a1 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 111), key...)
	require.Equal(t, 201, a1.status, string(a1.body))
	b1 := e.do(t, "POST", gnn+"/events", e.admin, fmt.Sprintf(savings, 222), key...)
	require.Equal(t, 201, b1.status, "another caller's key does not collide: %s", b1.body)
	assert.Empty(t, b1.header.Get("Idempotent-Replayed"))
	assert.NotEqual(t, a1.header.Get("Location"), b1.header.Get("Location"))
	assert.Contains(t, string(b1.body), `"amount_pence":222`)
	assert.NotContains(t, string(b1.body), `"amount_pence":111`, "nor sees the other caller's event")

	// Each caller's own retry is still answered with its own first event.
	a2 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 111), key...)
	assert.Equal(t, 201, a2.status)
	assert.Equal(t, "true", a2.header.Get("Idempotent-Replayed"))
	assert.Equal(t, a1.header.Get("Location"), a2.header.Get("Location"))
	b2 := e.do(t, "POST", gnn+"/events", e.admin, fmt.Sprintf(savings, 222), key...)
	assert.Equal(t, "true", b2.header.Get("Idempotent-Replayed"))
	assert.Equal(t, b1.header.Get("Location"), b2.header.Get("Location"))
	assert.Equal(t, 422, e.do(t, "POST", gnn+"/events", e.admin, fmt.Sprintf(savings, 333), key...).status)
}
