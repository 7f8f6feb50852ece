package api_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
)

// schemaValidator checks a JSON value against the subset of JSON Schema the OpenAPI document uses:
// $ref, type, required, properties, additionalProperties: false, items, enum, minimum, maximum, pattern.
type schemaValidator struct{ doc map[string]any }

func (v schemaValidator) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		node := any(v.doc)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			node = node.(map[string]any)[part]
		}
		s = node.(map[string]any)
	}
}

func (v schemaValidator) check(path string, s map[string]any, x any) []string {
	s = v.resolve(s)
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	// type is a name or, for a value that may be null (OpenAPI 3.1), a list of names.
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, n := range t {
			types = append(types, n.(string))
		}
	}
	if len(types) > 0 {
		okType := false
		for _, t := range types {
			switch t {
			case "object":
				_, ok := x.(map[string]any)
				okType = okType || ok
			case "array":
				_, ok := x.([]any)
				okType = okType || ok
			case "string":
				_, ok := x.(string)
				okType = okType || ok
			case "integer":
				f, isNum := x.(float64)
				okType = okType || isNum && f == float64(int64(f))
			case "number":
				_, ok := x.(float64)
				okType = okType || ok
			case "boolean":
				_, ok := x.(bool)
				okType = okType || ok
			case "null":
				okType = okType || x == nil
			}
		}
		if !okType {
			fail("want %s, got %T (%v)", strings.Join(types, " or "), x, x)
			return errs
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == x
		}
		if !found {
			fail("%v is not one of %v", x, enum)
		}
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := x.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if min, ok := s["minimum"].(float64); ok {
		if f, isNum := x.(float64); isNum && f < min {
			fail("%v below minimum %v", f, min)
		}
	}
	if obj, ok := x.(map[string]any); ok {
		for _, r := range asSlice(s["required"]) {
			if _, has := obj[r.(string)]; !has {
				fail("missing required %q", r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, val := range obj {
			ps, known := props[k].(map[string]any)
			if !known {
				if s["additionalProperties"] == false {
					fail("unexpected property %q", k)
				}
				continue
			}
			errs = append(errs, v.check(path+"/"+k, ps, val)...)
		}
	}
	if arr, ok := x.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, val := range arr {
				errs = append(errs, v.check(path+"/"+strconv.Itoa(i), items, val)...)
			}
		}
	}
	return errs
}

func asSlice(x any) []any {
	s, _ := x.([]any)
	return s
}

// TestOpenAPIMatchesEveryRoute calls every route for real and validates each JSON answer against the
// schema the document gives for that path, method and status: the document cannot drift.
func TestOpenAPIMatchesEveryRoute(t *testing.T) {
	e := newEnv(t, false)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(api.OpenAPI(), &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
	served := e.do(t, "GET", "/openapi.json", "", "")
	require.Equal(t, 200, served.status)
	assert.JSONEq(t, string(api.OpenAPI()), string(served.body))
	v := schemaValidator{doc: doc}

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
		{"GET", "/v1/partnerships/{id}", "/v1/partnerships/nobody-here", "", "", 404},
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
		{"GET", "/readyz", "/readyz", "", "", 200},
	}
	for _, c := range calls {
		t.Run(fmt.Sprintf("%s %s %d", c.method, c.path, c.status), func(t *testing.T) {
			if c.path == "/readyz" {
				e.settle(t) // the token calls above appended events: ready once they are folded
			}
			r := e.do(t, c.method, c.path, c.token, c.body)
			require.Equal(t, c.status, r.status, string(r.body))
			op, ok := doc["paths"].(map[string]any)[c.template].(map[string]any)[strings.ToLower(c.method)].(map[string]any)
			require.True(t, ok, "the document describes %s %s", c.method, c.template)
			resp, ok := op["responses"].(map[string]any)[strconv.Itoa(c.status)].(map[string]any)
			require.True(t, ok, "the document lists status %d for %s %s", c.status, c.method, c.template)
			content, _ := resp["content"].(map[string]any)
			if len(r.body) == 0 {
				assert.Empty(t, content, "an empty answer is documented without content")
				return
			}
			ctype := strings.Split(r.header.Get("Content-Type"), ";")[0]
			media, ok := content[ctype].(map[string]any)
			if !ok {
				media, ok = content[r.header.Get("Content-Type")].(map[string]any) // with its parameters
			}
			require.True(t, ok, "the document lists content type %s", r.header.Get("Content-Type"))
			if !strings.HasSuffix(ctype, "json") {
				return // text (a checkpoint): its type is what the document promises
			}
			schema, ok := media["schema"].(map[string]any)
			require.True(t, ok)
			var body any
			require.NoError(t, json.Unmarshal(r.body, &body))
			assert.Empty(t, v.check("", schema, body), "body: %.300s", r.body)
		})
	}
}
