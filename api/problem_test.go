package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// TestEveryKindOfErrorIsAProblemForPeople sends a request that meets each kind of error the API
// answers and checks the problem+json: the status and type of the kind, a detail written for people
// (no "projections: ", no Go type name), and the field at fault by JSON pointer, parameter or header.
func TestEveryKindOfErrorIsAProblemForPeople(t *testing.T) {
	e := newEnv(t, true)
	withData := func(old, new string) string { return strings.Replace(fmt.Sprintf(savings, 1), old, new, 1) }
	tests := []struct {
		name                   string
		method, path, token    string
		body                   string
		headers                []string
		status                 int
		kind                   fault.Kind
		detail                 string
		pointer, param, header string
	}{
		{"body not JSON", "POST", gnn + "/events", e.recorder, `{"type":`, nil, 400, fault.Malformed, "", "", "", ""},
		{"unknown member", "POST", gnn + "/events", e.recorder, `{"type":"SavingsReported","bogus":1}`, nil, 400, fault.Malformed, `unknown field "bogus"`, "/bogus", "", ""},
		{"unknown data member", "POST", gnn + "/events", e.recorder, withData(`"status":"forecast"`, `"status":"forecast","colour":"red"`), nil, 400, fault.Malformed, `unknown field "colour"`, "/data/colour", "", ""},
		{"amount of the wrong JSON type", "POST", gnn + "/events", e.recorder, withData(`"amount_pence":1`, `"amount_pence":"lots"`), nil, 400, fault.Malformed, `"lots" is not a whole number of pence`, "/data/amount_pence", "", ""},
		{"category of the wrong JSON type", "POST", gnn + "/events", e.recorder, withData(`"category":"shared management"`, `"category":["shared management"]`), nil, 400, fault.Malformed, "must be a string, not a JSON array", "/data/category", "", ""},
		{"period_to not a date", "POST", gnn + "/events", e.recorder, withData(`"period_to":"2016-03-31"`, `"period_to":"2016-02-30"`), nil, 400, fault.Malformed, "2016-02-30", "/data/period_to", "", ""},
		{"repeated member (the gate)", "POST", gnn + "/events", e.recorder, withData(`"category":"shared management"`, `"category":"a","category":"b"`), nil, 400, fault.Malformed, `repeated member name "category"`, "/data/category", "", ""},
		{"council not a partner (a rule)", "POST", gnn + "/events", e.recorder, withData("north-norfolk", "breckland"), nil, 422, fault.Rule, "breckland", "/data/council", "", ""},
		{"as_of not a date", "GET", gnn + "?as_of=2016-13-01", e.recorder, "", nil, 400, fault.Malformed, `as_of "2016-13-01" is not a valid date`, "", "as_of", ""},
		{"known_at unreadable", "GET", gnn + "?known_at=yesterday", e.recorder, "", nil, 400, fault.Malformed, `known_at "yesterday"`, "", "known_at", ""},
		{"limit out of range", "GET", "/v1/events?limit=0", e.recorder, "", nil, 400, fault.Malformed, "limit must be between", "", "limit", ""},
		{"tree size out of range", "GET", "/v1/audit/tree-head?size=99999999", e.recorder, "", nil, 400, fault.Malformed, "size 99999999 is out of range", "", "size", ""},
		// The tester: a malformed slug in the path was 422 at /partnership plus a rule error (POST), 404 (GET).
		{"malformed slug in the path (POST)", "POST", "/v1/partnerships/No%20Pe/events", e.recorder, fmt.Sprintf(savings, 1), nil, 400, fault.Malformed, `the path parameter {id}, "No Pe" is not a partnership slug`, "", "id", ""},
		{"malformed slug in the path (GET)", "GET", "/v1/partnerships/No%20Pe", e.recorder, "", nil, 400, fault.Malformed, `"No Pe" is not a partnership slug`, "", "id", ""},
		{"malformed slug in the path (GET a model)", "GET", "/v1/partnerships/No%20Pe/savings", e.recorder, "", nil, 400, fault.Malformed, `"No Pe" is not a partnership slug`, "", "id", ""},
		{"malformed slug in the path (GET its events)", "GET", "/v1/partnerships/NoPe/events", e.recorder, "", nil, 400, fault.Malformed, `"NoPe" is not a partnership slug`, "", "id", ""},
		{"unknown partnership", "GET", "/v1/partnerships/no-such-partnership", e.recorder, "", nil, 404, fault.NotFound, `no partnership "no-such-partnership" is recorded`, "", "", ""},
		{"unknown event", "GET", "/v1/events/0190a8f0-0000-7000-8000-000000000000", e.recorder, "", nil, 404, fault.NotFound, "no event 0190a8f0-0000-7000-8000-000000000000 is recorded", "", "", ""},
		{"no token", "GET", gnn, "", "", nil, 401, fault.Unauthorized, "bearer token", "", "", ""},
		{"role may not", "POST", "/v1/admin/tokens", e.recorder, `{"role":"reader","actor":"x"}`, nil, 403, fault.Forbidden, "this needs an admin token; yours is a recorder token", "", "", ""},
		{"wrong media type", "POST", gnn + "/events", e.recorder, fmt.Sprintf(savings, 1), []string{"Content-Type", "text/plain"}, 415, fault.UnsupportedMedia, "", "", "", "Content-Type"},
		{"malformed If-Match", "POST", gnn + "/events", e.recorder, fmt.Sprintf(savings, 1), []string{"If-Match", "soon"}, 400, fault.Malformed, "If-Match must be", "", "", "If-Match"},
		{"stale If-Match", "POST", gnn + "/events", e.recorder, fmt.Sprintf(savings, 1), []string{"If-Match", `"2"`}, 412, fault.PreconditionFailed, `If-Match: "2" does not match the partnership, which is now at revision`, "", "", "If-Match"},
		{"method not allowed", "PUT", gnn + "/events", e.recorder, fmt.Sprintf(savings, 1), nil, 405, fault.MethodNotAllowed, "this route does not take PUT; it takes GET, HEAD, POST", "", "", ""},
		{"unknown query parameter", "GET", gnn + "/appointments?asof=2015-11-07", e.recorder, "", nil, 400, fault.Malformed, "asof is not a parameter of this route; it takes as_of, known_at, min_seq", "", "asof", ""},
		{"body too large", "POST", gnn + "/events", e.recorder, `{"type":"` + strings.Repeat("a", api.MaxBodyBytes) + `"}`, nil, 413, fault.TooLarge, "over the limit", "", "", ""},
		{"admin body with an unknown member", "POST", "/v1/admin/tokens", e.admin, `{"role":"reader","actor":"x","colour":1}`, nil, 400, fault.Malformed, `unknown field "colour"`, "/colour", "", ""},
		{"unknown route", "GET", "/v1/nosuch", e.recorder, "", nil, 404, fault.NotFound, "not found", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			r := e.do(t, tt.method, tt.path, tt.token, tt.body, tt.headers...)
			require.Equal(t, tt.status, r.status, "%s", r.body)
			p := problemOf(t, r)
			assert.Equal(t, tt.kind.Type(), p.Type)
			assert.Equal(t, tt.kind, fault.KindOfType(p.Type), "a client reads the kind back from the type")
			assert.Contains(t, p.Detail, tt.detail)
			faulttest.AssertForPeople(t, p.Detail)
			for _, f := range p.Errors {
				faulttest.AssertForPeople(t, f.Detail)
			}
			if tt.param == "id" {
				assert.Len(t, p.Errors, 1, "no rule checked after a bad path parameter: %s", r.body)
			}
			if tt.pointer != "" || tt.param != "" || tt.header != "" {
				require.NotEmpty(t, p.Errors, "%s", r.body)
				found := false
				for _, f := range p.Errors {
					found = found || (f.Pointer == tt.pointer && f.Parameter == tt.param && f.Header == tt.header)
				}
				assert.True(t, found, "problem names pointer %q parameter %q header %q: %s", tt.pointer, tt.param, tt.header, r.body)
			}
			assert.Equal(t, before, e.head(t), "nothing appended")
		})
	}
}

// Issue 22 (tester, point 3): a small request never gets a large answer. errors[] lists at most 20
// fields and the detail counts the rest (3,000 unknown parameters were 3,000 entries, 319 KB); a name
// the client sent is quoted back cut to 80 characters and "…" wherever the problem names it (a
// 100 KB member name was echoed four times, a 5,000-character parameter name in full).
func TestProblemsAreBounded(t *testing.T) {
	e := newEnv(t, false)
	var q []string
	for i := range 3000 {
		q = append(q, fmt.Sprintf("p%04d=1", i))
	}
	r := e.do(t, "GET", gnn+"/appointments?"+strings.Join(q, "&"), "", "")
	require.Equal(t, 400, r.status)
	p := problemOf(t, r)
	require.Len(t, p.Errors, 20)
	assert.Equal(t, "p0000", p.Errors[0].Parameter)
	assert.Equal(t, "p0019", p.Errors[19].Parameter)
	assert.Contains(t, p.Detail, "(errors[] lists the first 20 of 3000 problems; 2980 more not listed)")
	assert.Less(t, len(r.body), 8<<10, "%d bytes", len(r.body))
	t.Logf("3,000 unknown parameters: %d bytes", len(r.body))

	long := strings.Repeat("a", 5000)
	r = e.do(t, "GET", gnn+"/appointments?"+long+"=1", "", "")
	require.Equal(t, 400, r.status)
	p = problemOf(t, r)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, strings.Repeat("a", 80)+"…", p.Errors[0].Parameter)
	assert.Less(t, len(r.body), 2<<10, "%d bytes", len(r.body))

	member := strings.Repeat("m", 100<<10)
	body := strings.Replace(fmt.Sprintf(savings, 100), `"status":"forecast"`, `"status":"forecast","`+member+`":1`, 1)
	r = e.do(t, "POST", gnn+"/events", e.recorder, body)
	require.Equal(t, 400, r.status, "%.300s", r.body)
	p = problemOf(t, r)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, "/data/"+strings.Repeat("m", 74)+"…", p.Errors[0].Pointer)
	assert.Less(t, len(r.body), 2<<10, "%d bytes: %.300s", len(r.body), r.body)
	assert.NotContains(t, string(r.body), strings.Repeat("m", 81))
	assert.Contains(t, p.Detail, strings.Repeat("m", 74)+`…: unknown field "`+strings.Repeat("m", 79)+`…"; `, "the punctuation that ends a cut name is kept")
	faulttest.AssertForPeople(t, p.Detail)
}
