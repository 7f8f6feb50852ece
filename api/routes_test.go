package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// documented is every operation of the OpenAPI document: "GET /v1/partnerships" → its query
// parameters, sorted.
func documented(t *testing.T) map[string][]string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(api.OpenAPI(), &doc))
	type param struct {
		Name string `json:"name"`
		In   string `json:"in"`
	}
	ops := map[string][]string{}
	for path, item := range doc.Paths {
		var common []param
		if raw, ok := item["parameters"]; ok {
			require.NoError(t, json.Unmarshal(raw, &common))
		}
		for method, raw := range item {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			var op struct {
				Parameters []param `json:"parameters"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			query := []string{}
			for _, p := range append(common, op.Parameters...) {
				if p.In == "query" {
					query = append(query, p.Name)
				}
			}
			sort.Strings(query)
			ops[strings.ToUpper(method)+" "+path] = query
		}
	}
	return ops
}

// The route table and the document agree: the same operations, and the same query parameters each.
func TestRouteTableMatchesTheDocument(t *testing.T) {
	doc := documented(t)
	table := map[string][]string{}
	for _, r := range api.RouteTable() {
		q := append([]string{}, r.Query...)
		sort.Strings(q)
		table[r.Method+" "+r.Path] = q
	}
	assert.Equal(t, doc, table)
}

// concrete fills a documented path's parameters: a partnership slug, or a UUID.
func concrete(path string) string {
	if strings.HasPrefix(path, "/v1/partnerships/{id}") {
		return strings.Replace(path, "{id}", "great-yarmouth-north-norfolk", 1)
	}
	return strings.Replace(path, "{id}", "0190a8f0-0000-7000-8000-000000000000", 1)
}

// Issue 22 point 4: a known path with a method it does not take is 405 with Allow, as problem+json
// (was a 404 problem, or the pages' 404 HTML page for /healthz, /openapi.json, /checkpoint).
func TestMethodNotAllowed(t *testing.T) {
	for _, pages := range []bool{false, true} {
		e := newEnvWith(t, false, func(c *api.Config) {
			if pages {
				c.Pages = http.NotFoundHandler()
			}
		})
		allow := map[string][]string{}
		for op := range documented(t) {
			method, path, _ := strings.Cut(op, " ")
			allow[path] = append(allow[path], method)
			if method == "GET" {
				allow[path] = append(allow[path], "HEAD")
			}
		}
		for path, methods := range allow {
			for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FROB"} {
				if slices.Contains(methods, m) {
					continue
				}
				r := e.do(t, m, concrete(path), e.admin, "")
				require.Equal(t, 405, r.status, "%s %s (pages %v): %s", m, path, pages, r.body)
				got := strings.Split(r.header.Get("Allow"), ", ")
				assert.ElementsMatch(t, methods, got, "%s %s", m, path)
				p := problemOf(t, r)
				assert.Equal(t, fault.MethodNotAllowed.Type(), p.Type)
				assert.Equal(t, fmt.Sprintf("this route does not take %s; it takes %s", m, r.header.Get("Allow")), p.Detail)
				faulttest.AssertForPeople(t, p.Detail)
			}
		}
		// The operations routes: were the pages' 404 page (HTML), or a 404 problem.
		for _, tt := range []struct{ method, path, allow string }{
			{"POST", "/healthz", "GET, HEAD"},
			{"PATCH", "/openapi.json", "GET, HEAD"},
			{"POST", "/checkpoint", "GET, HEAD"},
			{"DELETE", "/metrics", "GET, HEAD"},
			{"PUT", gnn + "/events", "GET, HEAD, POST"},
			{"GET", "/v1/admin/tokens", "POST"},
		} {
			r := e.do(t, tt.method, tt.path, "", "")
			require.Equal(t, 405, r.status, "%s %s: %s", tt.method, tt.path, r.body)
			assert.Equal(t, tt.allow, r.header.Get("Allow"), "%s %s", tt.method, tt.path)
			problemOf(t, r)
		}
		if !pages {
			r := e.do(t, "POST", "/", "", "")
			assert.Equal(t, 405, r.status, "the index")
			assert.Equal(t, "GET, HEAD", r.header.Get("Allow"))
		}
		// A path that is no route stays 404, and an unknown read model says which there are.
		assert.Equal(t, 404, e.do(t, "PUT", "/v1/nosuch", "", "").status)
		r := e.do(t, "GET", gnn+"/frobs", "", "")
		require.Equal(t, 404, r.status)
		assert.Contains(t, problemOf(t, r).Detail, `no read model "frobs" (appointments, services, savings, decisions, timeline)`)
	}
}

// Issue 22 point 4: a query parameter a route does not take is 400 naming it and the ones the route
// takes (asof=2015-11-07 was ignored, answering today's state); it is checked before anything else,
// tokens included.
func TestUnknownQueryParameter(t *testing.T) {
	e := newEnv(t, true)
	for op, query := range documented(t) {
		method, path, _ := strings.Cut(op, " ")
		r := e.do(t, method, concrete(path)+"?asof=2015-11-07", "", "")
		require.Equal(t, 400, r.status, "%s: %s", op, r.body)
		p := problemOf(t, r)
		takes := "it takes none"
		if len(query) > 0 {
			var table []string
			for _, rt := range api.RouteTable() {
				if rt.Method+" "+rt.Path == op {
					table = rt.Query
				}
			}
			takes = "it takes " + strings.Join(table, ", ")
		}
		assert.Equal(t, "asof is not a parameter of this route; "+takes, p.Detail, op)
		require.Len(t, p.Errors, 1, op)
		assert.Equal(t, "asof", p.Errors[0].Parameter, op)
		faulttest.AssertForPeople(t, p.Detail)
	}

	pub := newEnv(t, false)
	for _, tt := range []struct {
		query, detail string
		params        []string
	}{
		{"as_of=2015-11-07&zzz=1&asof=2", "asof is not a parameter of this route; it takes as_of, known_at, min_seq", []string{"asof", "zzz"}},
		{"AS_OF=2015-11-07", "AS_OF is not a parameter of this route", []string{"AS_OF"}},
		{"as_of=2015-11-07;known_at=1", "the query string does not read", nil},
		{"as_of=%zz", "the query string does not read", nil},
		{"%3Cb%3E=1", `"<b>" is not a parameter of this route`, []string{"<b>"}},
	} {
		r := pub.do(t, "GET", gnn+"/appointments?"+tt.query, "", "")
		require.Equal(t, 400, r.status, "%s: %s", tt.query, r.body)
		p := problemOf(t, r)
		assert.Contains(t, p.Detail, tt.detail, tt.query)
		faulttest.AssertForPeople(t, p.Detail)
		var names []string
		for _, f := range p.Errors {
			names = append(names, f.Parameter)
		}
		assert.Equal(t, tt.params, names, tt.query)
	}
	// The parameters a route takes still work, and an empty query is no parameter.
	assert.Equal(t, 200, pub.do(t, "GET", gnn+"/appointments?as_of=2015-11-07&known_at=2016-01-01&min_seq=1", "", "").status)
	assert.Equal(t, 200, pub.do(t, "GET", gnn+"/appointments?", "", "").status)
	assert.Equal(t, 200, pub.do(t, "GET", "/healthz", "", "").status)
	r := pub.do(t, "GET", "/openapi.json?v=2", "", "")
	require.Equal(t, 400, r.status)
	assert.Equal(t, "v is not a parameter of this route; it takes none", problemOf(t, r).Detail)
}

// Issue 22 point 4: a 403 names the role needed and the role held (was "your token's role may not
// do this").
func TestForbiddenNamesRole(t *testing.T) {
	e := newEnv(t, false)
	for _, tt := range []struct {
		method, path, token, body, detail string
	}{
		{"POST", gnn + "/events", e.auditor, fmt.Sprintf(savings, 1), "this needs a recorder (or admin) token; yours is an auditor token"},
		{"GET", "/v1/audit/verify", e.recorder, "", "this needs an auditor (or admin) token; yours is a recorder token"},
		{"POST", "/v1/admin/tokens", e.auditor, `{"role":"reader","actor":"x"}`, "this needs an admin token; yours is an auditor token"},
		{"GET", "/v1/admin/backup", e.recorder, "", "this needs an admin token; yours is a recorder token"},
	} {
		r := e.do(t, tt.method, tt.path, tt.token, tt.body)
		require.Equal(t, 403, r.status, "%s %s: %s", tt.method, tt.path, r.body)
		p := problemOf(t, r)
		assert.Equal(t, tt.detail, p.Detail)
		faulttest.AssertForPeople(t, p.Detail)
	}
}

// Issue 22 (tester, point 1): a query parameter given empty (as_of=, or as_of alone) is 400 naming
// it, on every route that takes it (was: read as left out, so today's state answered 200). Checked
// in one place, before the handler, so every route refuses it the same way.
func TestEmptyQueryParameter(t *testing.T) {
	e := newEnv(t, false)
	for _, rt := range api.RouteTable() {
		for _, name := range rt.Query {
			for _, q := range []string{name + "=", name} {
				r := e.do(t, rt.Method, concrete(rt.Path)+"?"+q, e.admin, "")
				op := rt.Method + " " + rt.Path + "?" + q
				require.Equal(t, 400, r.status, "%s: %s", op, r.body)
				p := problemOf(t, r)
				assert.True(t, strings.HasPrefix(p.Detail, name+" is empty: give "), "%s: %s", op, p.Detail)
				assert.True(t, strings.HasSuffix(p.Detail, " or leave the parameter out"), "%s: %s", op, p.Detail)
				require.Len(t, p.Errors, 1, op)
				assert.Equal(t, name, p.Errors[0].Parameter, op)
				faulttest.AssertForPeople(t, p.Detail)
			}
		}
	}
	r := e.do(t, "GET", gnn+"?as_of", "", "")
	require.Equal(t, 400, r.status)
	assert.Equal(t, "as_of is empty: give a date YYYY-MM-DD or leave the parameter out", problemOf(t, r).Detail)
	// A value given stays accepted, and an empty one among good ones is still named.
	assert.Equal(t, 200, e.do(t, "GET", gnn+"?as_of=2015-11-07", "", "").status)
	r = e.do(t, "GET", gnn+"?as_of=2015-11-07&known_at=", "", "")
	require.Equal(t, 400, r.status)
	assert.Equal(t, "known_at", problemOf(t, r).Errors[0].Parameter)
}
