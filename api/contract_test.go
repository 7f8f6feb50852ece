package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
)

// The contract: every answer the api test suite receives through a test server (newEnvWith) is checked
// against the OpenAPI document (api.OpenAPI, OpenAPI 3.1, JSON Schema 2020-12) by
// github.com/getkin/kin-openapi, and so is every request the server accepted (2xx or 3xx; tests send
// bad requests on purpose, and the server's refusal of them is itself checked as an answer).
//
// A violation fails the test that made the call: send (and so (*env).do) reads the verdict from the
// answer's contractVerdict header; a request sent some other way (a stream, a raw client) is reported on
// the test that built the server. The message names the method, the path, the status and the first
// line of the library's message.

// contractVerdict is the answer header in which the validating test server puts a violation.
const contractVerdict = "X-Test-Contract-Violation"

// contractCaller is the request header by which send says it reads the verdict itself.
const contractCaller = "X-Test-Contract-Caller"

// contract is the loaded document and its router, built once per test binary.
type contract struct {
	doc    *openapi3.T
	router routers.Router
	err    error
}

var (
	contractOnce sync.Once
	theContract  contract
)

func init() {
	// Bodies the document describes as text or bytes: kin-openapi decodes JSON, text/plain and
	// application/octet-stream itself; these are read as they are (a string, or bytes).
	for _, ct := range []string{"text/html", "text/markdown", "text/event-stream"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
}

// loadContract loads api.OpenAPI() as the validator sees it. The document's servers entry ("/") is
// dropped so that routes match on path alone (the test servers listen on a random port).
func loadContract(data []byte) (*openapi3.T, routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, nil, fmt.Errorf("the document is not valid: %w", err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("routing the document: %w", err)
	}
	return doc, router, nil
}

func theDocument(t testing.TB) *contract {
	t.Helper()
	contractOnce.Do(func() {
		theContract.doc, theContract.router, theContract.err = loadContract(api.OpenAPI())
	})
	require.NoError(t, theContract.err)
	return &theContract
}

// exchange is one request and the answer the server gave it.
type exchange struct {
	req     *http.Request // as the server received it
	reqBody []byte        // what the handler read of the request's body
	status  int
	header  http.Header
	body    []byte
	stream  bool // the body was streamed (event stream, backup): its bytes are not checked
}

// firstLine is the first line of a library message, which is followed by the schema and the value.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(s)
}

// check returns "" when the exchange keeps to the document, else one line naming method, path, status
// and the library's first message line.
func (c *contract) check(x exchange) string {
	if msg := c.violation(x); msg != "" {
		return fmt.Sprintf("contract: %s %s → %d: %s", x.req.Method, x.req.URL.RequestURI(), x.status, msg)
	}
	return ""
}

func (c *contract) violation(x exchange) string {
	ctx := context.Background()
	req := x.req.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	req.Header.Del(contractCaller)
	if req.Method == http.MethodHead {
		req.Method = http.MethodGet // HEAD is GET without the body (RFC 9110 §9.3.2)
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return c.unrouted(x, req, err)
	}
	op := route.Operation
	resp := op.Responses.Status(x.status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil {
		return fmt.Sprintf("status %d is not documented for this operation", x.status)
	}
	if len(x.body) > 0 && len(resp.Value.Content) == 0 {
		return fmt.Sprintf("the answer has a body (%s) but the document gives status %d no content", x.header.Get("Content-Type"), x.status)
	}
	if len(resp.Value.Content) > 0 && x.status != http.StatusNotModified && x.req.Method != http.MethodHead {
		if resp.Value.Content.Get(x.header.Get("Content-Type")) == nil {
			return fmt.Sprintf("content type %q is not documented for status %d", x.header.Get("Content-Type"), x.status)
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if x.status >= 200 && x.status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			msg := "request: " + firstLine(err)
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get(req.Header.Get("Content-Type")); mt != nil {
					msg += c.narrow(mt.Schema, x.reqBody)
				}
			}
			return msg
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.status, Header: x.header,
		Body: io.NopCloser(bytes.NewReader(x.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: x.stream,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		msg := "answer: " + firstLine(err)
		if mt := resp.Value.Content.Get(x.header.Get("Content-Type")); mt != nil && !x.stream {
			msg += c.narrow(mt.Schema, x.body)
		}
		return msg
	}
	return ""
}

// narrow says where a JSON body that fails its schema fails, when the library's first line does not:
// for a oneOf discriminated by a property (an event by its type) the library reports the first
// variant's complaint, so narrow follows the discriminator's mapping to the one variant the value
// names, through list items and object members, down to the smallest schema that still refuses the
// value. It returns "" when it finds nothing narrower.
func (c *contract) narrow(s *openapi3.SchemaRef, body []byte) string {
	var v any
	if s == nil || json.Unmarshal(body, &v) != nil {
		return ""
	}
	at, msg := c.narrowAt(s, v, "")
	if msg == "" {
		return ""
	}
	return fmt.Sprintf(" (at %q: %s)", at, msg)
}

func (c *contract) narrowAt(s *openapi3.SchemaRef, v any, at string) (string, string) {
	refuses := func(s *openapi3.SchemaRef, v any) error {
		if s == nil || s.Value == nil {
			return nil
		}
		return s.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse())
	}
	err := refuses(s, v)
	if err == nil {
		return "", ""
	}
	sv := s.Value
	switch v := v.(type) {
	case map[string]any:
		if d := sv.Discriminator; d != nil {
			if name, ok := v[d.PropertyName].(string); ok {
				if m, ok := d.Mapping[name]; ok {
					target := c.doc.Components.Schemas[strings.TrimPrefix(m.Ref, "#/components/schemas/")]
					if target == nil {
						return at, fmt.Sprintf("%s %q maps to %s, which the document lacks", d.PropertyName, name, m.Ref)
					}
					return c.narrowAt(target, v, at)
				}
				return at + "/" + d.PropertyName, fmt.Sprintf("%q is not a %s the document maps", name, d.PropertyName)
			} else if raw, has := v[d.PropertyName]; has {
				return at + "/" + d.PropertyName, fmt.Sprintf("the discriminator must be a string, not %v", raw)
			} else {
				return at, fmt.Sprintf("the discriminator %q is missing", d.PropertyName)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if ps := sv.Properties[k]; ps != nil && refuses(ps, v[k]) != nil {
				return c.narrowAt(ps, v[k], at+"/"+k)
			}
		}
	case []any:
		for i, item := range v {
			if sv.Items != nil && refuses(sv.Items, item) != nil {
				return c.narrowAt(sv.Items, item, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	msg := strings.TrimPrefix(firstLine(err), "validation failed due to: ")
	return at, strings.TrimPrefix(msg, "at '': ")
}

// unrouted checks an answer to a request the document has no operation for. Under /v1/ (an unknown
// path, or a method a documented path does not have) it must be a 4xx problem+json that is a Problem.
// A method a documented path outside /v1/ does not have (POST /healthz) must be refused with a 4xx,
// a Problem if it says problem+json. Other paths outside /v1/ (the clerk pages, the index) are not
// the API's: the document makes no promise about them.
func (c *contract) unrouted(x exchange, req *http.Request, err error) string {
	_, isPath := c.doc.Paths.Map()[req.URL.Path]
	documented := errors.Is(err, routers.ErrMethodNotAllowed) || isPath
	if !documented && !strings.HasPrefix(req.URL.Path, "/v1/") {
		return ""
	}
	if x.status < 400 || x.status >= 500 {
		return fmt.Sprintf("no operation in the document (%s), yet status %d", firstLine(err), x.status)
	}
	if x.req.Method == http.MethodHead {
		return ""
	}
	ct := x.header.Get("Content-Type")
	if ct != "application/problem+json" && !strings.HasPrefix(req.URL.Path, "/v1/") {
		return ""
	}
	if ct != "application/problem+json" {
		return fmt.Sprintf("no operation in the document (%s): a refusal must be application/problem+json, not %q", firstLine(err), ct)
	}
	problem := c.doc.Components.Schemas["Problem"]
	var v any
	if err := json.Unmarshal(x.body, &v); err != nil {
		return "answer: the problem is not JSON: " + firstLine(err)
	}
	if err := problem.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
		return "answer: the problem does not match Problem: " + firstLine(err)
	}
	return ""
}

// contractWriter holds an answer back until it is checked, so the verdict can travel in its header;
// an event stream or a backup (a body too long to hold) is passed on as it is written, its status and
// headers checked when they are written.
type contractWriter struct {
	http.ResponseWriter
	status  int
	body    bytes.Buffer
	stream  bool
	onStart func(status int) // the check of a streamed answer, before its header goes out
}

func (w *contractWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	switch strings.Split(w.Header().Get("Content-Type"), ";")[0] {
	case "text/event-stream", "application/octet-stream":
		w.stream = true
		w.onStart(code)
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *contractWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.stream {
		return w.ResponseWriter.Write(b)
	}
	return w.body.Write(b)
}

func (w *contractWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && w.stream {
		f.Flush()
	}
}

func (w *contractWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// teeBody keeps a copy of what the handler reads of a request's body (up to a cap).
type teeBody struct {
	io.ReadCloser
	copy *bytes.Buffer
}

const teeCap = 8 << 20

func (b teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := teeCap - b.copy.Len(); room > 0 {
		b.copy.Write(p[:min(n, room)])
	}
	return n, err
}

// validating wraps h so that every exchange is checked against the document. report receives a
// violation of a request that did not come through send (nil: t.Errorf).
func validating(t testing.TB, h http.Handler, report func(string)) http.Handler {
	t.Helper()
	c := theDocument(t)
	if report == nil {
		report = func(msg string) { t.Errorf("%s", msg) }
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody bytes.Buffer
		if r.Body != nil {
			r.Body = teeBody{ReadCloser: r.Body, copy: &reqBody}
		}
		verdict := func(x exchange) {
			if msg := c.check(x); msg != "" {
				if r.Header.Get(contractCaller) != "" {
					w.Header().Set(contractVerdict, msg)
				} else {
					report(msg)
				}
			}
		}
		cw := &contractWriter{ResponseWriter: w}
		cw.onStart = func(status int) {
			verdict(exchange{req: r, reqBody: reqBody.Bytes(), status: status, header: w.Header(), stream: true})
		}
		h.ServeHTTP(cw, r)
		if cw.stream {
			return
		}
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		verdict(exchange{req: r, reqBody: reqBody.Bytes(), status: cw.status, header: w.Header(), body: cw.body.Bytes()})
		w.WriteHeader(cw.status)
		w.Write(cw.body.Bytes())
	})
}

// contractOf fails t with the verdict the validating server put in an answer's header.
func contractOf(t testing.TB, h http.Header) {
	t.Helper()
	if v := h.Get(contractVerdict); v != "" {
		t.Errorf("%s", v)
		h.Del(contractVerdict)
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
		{"a 2xx to a request the document refuses", "GET", "/v1/events?limit=3000", "application/json", `{}`, 200,
			`contract: GET /v1/events?limit=3000 → 200: request: parameter "limit" in query has an error`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.Header().Set("ETag", `"1"`)
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
		assert.Empty(t, r.header.Get(contractVerdict))
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
	doc, router, err := loadContract([]byte(`{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
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
	c := &contract{doc: doc, router: router}
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
		msg := c.check(exchange{req: req, reqBody: []byte(body), status: 204, header: http.Header{}})
		if want == "" {
			assert.Empty(t, msg, body)
			continue
		}
		assert.True(t, strings.HasPrefix(msg, "contract: POST /things → 204: request: request body has an error"), msg)
		assert.True(t, strings.HasSuffix(msg, want), "%s\n%s", body, msg)
	}
}
