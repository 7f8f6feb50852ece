package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doHeaders sends a request with exactly the headers given, each added (so a name may repeat).
func (e *env) doHeaders(t *testing.T, method, path, body string, header http.Header) resp {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header = header
	return send(t, req)
}

// The tester's Idempotency-Keys: a C1 control and a bidi override, or bytes that are not UTF-8, were
// accepted; 200 × "é" was refused as too long (its bytes were counted). The key is text under the
// ledger's rule and at most 200 code points.
func TestIdempotencyKeyIsText(t *testing.T) {
	e := newEnv(t, false)
	before := e.head(t)
	for key, want := range map[string]string{
		"k\xc2\x85\xe2\x80\xae":  "U+0085",
		"k\xe2\x80\xaeevil":      "U+202E",
		"\xff\xfe":               "invalid UTF-8",
		strings.Repeat("é", 201): "201 characters",
		strings.Repeat("k", 201): "201 characters",
	} {
		r := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 100), "Idempotency-Key", key)
		require.Equal(t, 400, r.status, "%q: %s", key, r.body)
		p := problemOf(t, r)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "Idempotency-Key", p.Errors[0].Header)
		assert.Contains(t, p.Errors[0].Detail, want)
	}
	assert.Equal(t, before, e.head(t), "nothing recorded")

	key := strings.Repeat("é", 200)
	r1 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 100), "Idempotency-Key", key)
	require.Equal(t, 201, r1.status, string(r1.body))
	r2 := e.do(t, "POST", gnn+"/events", e.recorder, fmt.Sprintf(savings, 100), "Idempotency-Key", key)
	require.Equal(t, 201, r2.status, string(r2.body))
	assert.JSONEq(t, string(r1.body), string(r2.body), "200 code points is a key; the retry answers the first response")
	assert.Equal(t, before+1, e.head(t))

	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + e.recorder},
		"Idempotency-Key": {"one", "two"}}
	r := e.doHeaders(t, "POST", gnn+"/events", fmt.Sprintf(savings, 100), h)
	require.Equal(t, 400, r.status, string(r.body))
	assert.Equal(t, "Idempotency-Key", problemOf(t, r).Errors[0].Header)
	assert.Equal(t, before+1, e.head(t))
}

// The tester: two Content-Type headers were 201 or 415 depending on their order, and a body declared
// as UTF-16 or Latin-1 was read as UTF-8; two Authorization headers took the first.
func TestAmbiguousHeadersAreRefused(t *testing.T) {
	e := newEnv(t, false)
	before := e.head(t)
	body := fmt.Sprintf(savings, 100)
	tests := []struct {
		name   string
		header http.Header
		status int
		field  string
		detail string
	}{
		{"json then text", http.Header{"Content-Type": {"application/json", "text/plain"}}, 415, "Content-Type", "send one Content-Type header, not 2"},
		{"text then json", http.Header{"Content-Type": {"text/plain", "application/json"}}, 415, "Content-Type", "send one Content-Type header, not 2"},
		{"json twice", http.Header{"Content-Type": {"application/json", "application/json"}}, 415, "Content-Type", "not 2"},
		{"utf-16", http.Header{"Content-Type": {"application/json; charset=utf-16"}}, 415, "Content-Type", `charset="utf-16" is not accepted`},
		{"latin1", http.Header{"Content-Type": {"application/json; charset=latin1"}}, 415, "Content-Type", `charset="latin1"`},
		{"utf8 without hyphen", http.Header{"Content-Type": {"application/json; charset=utf8"}}, 415, "Content-Type", `charset="utf8"`},
		{"two Authorization", http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + e.recorder, "Bearer nonsense"}}, 400, "Authorization", "send one Authorization header, not 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.header.Get("Authorization") == "" {
				tt.header.Set("Authorization", "Bearer "+e.recorder)
			}
			r := e.doHeaders(t, "POST", gnn+"/events", body, tt.header)
			require.Equal(t, tt.status, r.status, string(r.body))
			p := problemOf(t, r)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, tt.field, p.Errors[0].Header)
			assert.Contains(t, p.Errors[0].Detail, tt.detail)
			assert.Equal(t, before, e.head(t), "nothing recorded")
		})
	}
	two := e.doHeaders(t, "GET", gnn, "", http.Header{"Authorization": {"Bearer " + e.recorder, "Bearer " + e.recorder}})
	assert.Equal(t, 400, two.status, "two Authorization headers are refused on a read too")
	for i, ct := range []string{"application/json; charset=UTF-8", "application/json; charset=utf-8", "application/json"} {
		r := e.doHeaders(t, "POST", gnn+"/events", fmt.Sprintf(savings, 101+i), http.Header{"Content-Type": {ct}, "Authorization": {"Bearer " + e.recorder}})
		require.Equal(t, 201, r.status, "%s: %s", ct, r.body)
	}
}
