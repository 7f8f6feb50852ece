package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/contracttest"
)

// The contract: every answer the api test suite receives through a test server (newEnvWith) is checked
// against the OpenAPI document (api.OpenAPI, OpenAPI 3.1, JSON Schema 2020-12) by
// github.com/getkin/kin-openapi (api/contracttest), and so is every request the server accepted (2xx or
// 3xx; tests send bad requests on purpose, and the server's refusal of them is itself checked as an
// answer).
//
// A violation fails the test that made the call: send (and so (*env).do) reads the verdict from the
// answer's contracttest.VerdictHeader; a request sent some other way (a stream, a raw client) is
// reported on the test that built the server. The message names the method, the path, the status and
// the first line of the library's message.

var (
	contractOnce sync.Once
	theContract  *contracttest.Contract
	contractErr  error
)

// theDocument is api.OpenAPI() loaded by contracttest, once per test binary.
func theDocument(t testing.TB) *contracttest.Contract {
	t.Helper()
	contractOnce.Do(func() { theContract, contractErr = contracttest.Load(api.OpenAPI()) })
	require.NoError(t, contractErr)
	return theContract
}

// validating wraps h so that every exchange is checked against the document. report receives a
// violation of a request that did not come through send (nil: t.Errorf).
func validating(t testing.TB, h http.Handler, report func(string)) http.Handler {
	t.Helper()
	if report == nil {
		report = func(msg string) { t.Errorf("%s", msg) }
	}
	return theDocument(t).Handler(h, report)
}

// contractOf fails t with the verdict the validating server put in an answer's header.
func contractOf(t testing.TB, h http.Header) {
	t.Helper()
	if v := contracttest.Verdict(h); v != "" {
		t.Errorf("%s", v)
	}
}

// TestOpenAPIDocumentValid: the document is OpenAPI 3.1 and valid by the library's own check
// (schemas are JSON Schema 2020-12; every $ref resolves; every path parameter is declared).
func TestOpenAPIDocumentValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	require.NoError(t, err)
	assert.True(t, doc.IsOpenAPI31OrLater(), "openapi: %s", doc.OpenAPI)
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	require.NoError(t, doc.Validate(loader.Context))
	assert.NotZero(t, doc.Paths.Len())
}

// TestContractHookCatches proves the hook is not blind: a handler answering a documented route with a
// member the schema does not allow, with an undocumented status, or with an undocumented content
// type fails the call, and the message names method, path, status and the library's reason.
func TestContractHookCatches(t *testing.T) {
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		want                            string
	}{
		{"an answer without its required members", "GET", "/v1/audit/key", "application/json", `{"colour":"red"}`, 200,
			`contract: GET /v1/audit/key → 200: answer: response body doesn't match schema #/components/schemas/Key`},
		{"an undocumented member", "GET", "/v1/audit/key", "application/problem+json",
			`{"type":"/problems/not-found","title":"Not found","status":404,"colour":"red"}`, 404,
			`contract: GET /v1/audit/key → 404: answer: response body doesn't match schema #/components/schemas/Problem: validation failed due to: at '': additional properties 'colour' not allowed`},
		{"an undocumented status", "GET", "/v1/audit/key", "application/problem+json",
			`{"type":"/problems/teapot","title":"teapot","status":418,"detail":"short and stout"}`, 418,
			`contract: GET /v1/audit/key → 418: status 418 is not documented for this operation`},
		{"an undocumented content type", "GET", "/v1/audit/key", "text/html", `<p>key</p>`, 200,
			`contract: GET /v1/audit/key → 200: content type "text/html" is not documented for status 200`},
		{"a body where the document has none", "DELETE", "/v1/admin/tokens/abc", "application/json", `{}`, 204,
			`contract: DELETE /v1/admin/tokens/abc → 204: the answer has a body`},
		{"an unknown /v1/ path answered 200", "GET", "/v1/nowhere", "application/json", `{}`, 200,
			`contract: GET /v1/nowhere → 200: no operation in the document`},
		{"a problem that is not a Problem", "GET", "/v1/nowhere", "application/problem+json", `{"status":"404"}`, 404,
			`contract: GET /v1/nowhere → 404: answer: the problem does not match Problem`},
		{"a method the document does not give the path, answered 404", "PUT", "/v1/audit/key", "application/problem+json",
			`{"type":"/problems/not-found","title":"Not found","status":404}`, 404,
			`contract: PUT /v1/audit/key → 404: the document gives this path only GET, HEAD: want 405 (RFC 9110 §15.5.6), not 404`},
		{"a 405 whose Allow is not the document's", "DELETE", "/v1/partnerships/x/events", "application/problem+json",
			`{"type":"/problems/method-not-allowed","title":"Method not allowed","status":405}`, 405,
			`contract: DELETE /v1/partnerships/x/events → 405: Allow: "GET, POST, PUT", but the document gives this path GET, HEAD, POST`},
		{"a 2xx to a request the document refuses", "GET", "/v1/events?limit=3000", "application/json", `{}`, 200,
			`contract: GET /v1/events?limit=3000 → 200: request: parameter "limit" in query has an error`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.Header().Set("ETag", `"1"`)
				w.Header().Set("Allow", "GET, POST, PUT")
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			})
			var reported []string
			srv := httptest.NewServer(validating(t, h, func(msg string) { reported = append(reported, msg) }))
			defer srv.Close()

			// Through send: the verdict fails the calling test (here a stand-in that records it).
			req, err := http.NewRequest(c.method, srv.URL+c.path, nil)
			require.NoError(t, err)
			probe := &recordingTB{TB: t}
			send(probe, req)
			require.Len(t, probe.errors, 1, "the hook must fail the call")
			assert.Contains(t, probe.errors[0], c.want)

			// Sent some other way: reported on the test that built the server.
			res, err := http.DefaultClient.Get(srv.URL + c.path)
			if c.method == "GET" {
				require.NoError(t, err)
				res.Body.Close()
				require.Len(t, reported, 1)
				assert.Contains(t, reported[0], c.want)
			} else if err == nil {
				res.Body.Close()
			}
		})
	}

	t.Run("a documented answer passes", func(t *testing.T) {
		e := newEnv(t, false)
		r := e.do(t, "GET", "/v1/audit/key", "", "")
		require.Equal(t, 200, r.status)
		assert.Empty(t, r.header.Get(contracttest.VerdictHeader))
	})
}

// recordingTB is a testing.TB whose Errorf is recorded instead of failing the test.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Helper() {}

// TestContractNarrowsADiscriminatedOneOf: a body that fails a oneOf discriminated by type is reported
// where the variant its type names refuses it (the library alone reports the first variant's
// complaint, "value must be 'A'"), through the items of a list.
func TestContractNarrowsADiscriminatedOneOf(t *testing.T) {
	c, err := contracttest.Load([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
	 "paths": {"/things": {"post": {"operationId": "postThings",
	  "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}},
	  "responses": {"204": {"description": "done"}}}}},
	 "components": {"schemas": {
	  "Thing": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
	   "discriminator": {"propertyName": "type", "mapping": {"A": "#/components/schemas/A", "B": "#/components/schemas/B"}}},
	  "A": {"type": "object", "additionalProperties": false, "required": ["type", "n"],
	   "properties": {"type": {"const": "A"}, "n": {"type": "integer", "maximum": 10}}},
	  "B": {"type": "object", "additionalProperties": false, "required": ["type", "data"],
	   "properties": {"type": {"const": "B"}, "data": {"type": "object", "additionalProperties": false,
	    "properties": {"pence": {"type": "integer"}}}}}}}}`))
	require.NoError(t, err)
	for body, want := range map[string]string{
		`[{"type":"A","n":3},{"type":"B","data":{"pence":4.5}}]`: `(at "/1/data/pence": got number, want integer)`,
		`[{"type":"B","data":{"colour":"red"}}]`:                 `(at "/0/data": additional properties 'colour' not allowed)`,
		`[{"type":"A","n":11}]`:                                  `(at "/0/n": maximum: got 11, want 10)`,
		`[{"type":"C"}]`:                                         `(at "/0/type": "C" is not a type the document maps)`,
		`[{"type":7}]`:                                           `(at "/0/type": the discriminator must be a string, not 7)`,
		`[{"n":1}]`:                                              `(at "/0": the discriminator "type" is missing)`,
		`[{"type":"A","n":1},{"type":"B","data":{"pence":12}}]`:  "",
	} {
		req := httptest.NewRequest("POST", "/things", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		msg := c.Check(contracttest.Exchange{Request: req, RequestBody: []byte(body), Status: 204, Header: http.Header{}})
		if want == "" {
			assert.Empty(t, msg, body)
			continue
		}
		assert.True(t, strings.HasPrefix(msg, "contract: POST /things → 204: request: request body has an error"), msg)
		assert.True(t, strings.HasSuffix(msg, want), "%s\n%s", body, msg)
	}
}
