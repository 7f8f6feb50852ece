// Package contracttest checks HTTP exchanges against the ledger's OpenAPI 3.1 document (api.OpenAPI)
// with github.com/getkin/kin-openapi: for each request and answer, that the document has an operation
// for it, that the answer's status is documented for it, with a documented content type, the headers the
// document requires (ETag, WWW-Authenticate, Retry-After) and a body matching its JSON Schema 2020-12;
// and, when the server accepted the request (2xx or 3xx), that the request matches the document
// (parameters and body). Tests send bad requests on purpose: the server's refusal is checked as an
// answer. A request for which the document has no operation is checked by the rule of Contract.Check.
//
// Check's message is one line naming the method, the path, the status and the first line of the
// library's message (which is followed by the schema and the value); for a body failing a oneOf
// discriminated by a property (an event by its type) it adds where the variant the value names refuses
// it. Handler wraps a test server's handler so that every exchange is checked.
//
// Test support: imported only by _test.go files (api's tests, cmd/ledger's README examples).
package contracttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// VerdictHeader is the answer header in which Handler puts a violation.
const VerdictHeader = "X-Test-Contract-Violation"

// CallerHeader is the request header by which a caller says it reads the verdict itself (Verdict).
const CallerHeader = "X-Test-Contract-Caller"

// Contract is a loaded document and its router.
type Contract struct {
	Doc    *openapi3.T // the document as loaded, without its servers
	router routers.Router
}

func init() {
	// Bodies the document describes as text or bytes: kin-openapi decodes JSON, text/plain and
	// application/octet-stream itself; these are read as they are (a string, or bytes).
	for _, ct := range []string{"text/html", "text/markdown", "text/event-stream"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
}

// Load loads and validates an OpenAPI document (api.OpenAPI()) for Check. Its servers are dropped, so
// that routes match on path alone (test servers listen on a random port). Errors: the document does
// not load, is not valid (openapi3.T.Validate) or cannot be routed.
func Load(document []byte) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("loading the document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the document is not valid: %w", err)
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing the document: %w", err)
	}
	return &Contract{Doc: doc, router: router}, nil
}

// Operation returns the path template of the document's operation for req ("/v1/events/{id}"), or
// an error when the document has none.
func (c *Contract) Operation(req *http.Request) (string, error) {
	route, _, err := c.router.FindRoute(req)
	if err != nil {
		return "", err
	}
	return route.Path, nil
}

// Exchange is one request and the answer the server gave it.
type Exchange struct {
	Request     *http.Request // as the server received it (its Body is not read)
	RequestBody []byte        // the request's body (what the handler read of it)
	Status      int
	Header      http.Header // the answer's
	Body        []byte      // the answer's
	Stream      bool        // the body was streamed (event stream, backup): its bytes are not checked
}

// firstLine is the first line of a library message, which is followed by the schema and the value.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(s)
}

// Check returns "" when the exchange keeps to the document, else one line naming method, path, status
// and the library's first message line ("contract: GET /v1/audit/key → 200: answer: ...").
//
// A request for which the document has no operation is refused with a Problem
// (application/problem+json, components.schemas.Problem): a method the document does not give a
// documented path (PUT /v1/events, POST /healthz) is 405 with Allow naming exactly the document's
// methods for the path (HEAD wherever GET); an unknown path under /v1/ is 404. Other paths outside /v1/
// (the clerk pages, the index) are not the API's, and the document makes no promise about them.
func (c *Contract) Check(x Exchange) string {
	if msg := c.violation(x); msg != "" {
		return fmt.Sprintf("contract: %s %s → %d: %s", x.Request.Method, x.Request.URL.RequestURI(), x.Status, msg)
	}
	return ""
}

func (c *Contract) violation(x Exchange) string {
	ctx := context.Background()
	req := x.Request.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	req.Header.Del(CallerHeader)
	if req.Method == http.MethodHead {
		req.Method = http.MethodGet // HEAD is GET without the body (RFC 9110 §9.3.2)
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return c.unrouted(x, req, err)
	}
	op := route.Operation
	resp := op.Responses.Status(x.Status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil {
		return fmt.Sprintf("status %d is not documented for this operation", x.Status)
	}
	if len(x.Body) > 0 && len(resp.Value.Content) == 0 {
		return fmt.Sprintf("the answer has a body (%s) but the document gives status %d no content", x.Header.Get("Content-Type"), x.Status)
	}
	if len(resp.Value.Content) > 0 && x.Status != http.StatusNotModified && x.Request.Method != http.MethodHead {
		if resp.Value.Content.Get(x.Header.Get("Content-Type")) == nil {
			return fmt.Sprintf("content type %q is not documented for status %d", x.Header.Get("Content-Type"), x.Status)
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if x.Status >= 200 && x.Status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			msg := "request: " + firstLine(err)
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get(req.Header.Get("Content-Type")); mt != nil {
					msg += c.narrow(mt.Schema, x.RequestBody)
				}
			}
			return msg
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.Status, Header: x.Header,
		Body: io.NopCloser(bytes.NewReader(x.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: x.Stream,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		msg := "answer: " + firstLine(err)
		if mt := resp.Value.Content.Get(x.Header.Get("Content-Type")); mt != nil && !x.Stream {
			msg += c.narrow(mt.Schema, x.Body)
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
func (c *Contract) narrow(s *openapi3.SchemaRef, body []byte) string {
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

func (c *Contract) narrowAt(s *openapi3.SchemaRef, v any, at string) (string, string) {
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
					target := c.Doc.Components.Schemas[strings.TrimPrefix(m.Ref, "#/components/schemas/")]
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

// unrouted checks an answer to a request the document has no operation for (see Check).
func (c *Contract) unrouted(x Exchange, req *http.Request, err error) string {
	allowed := c.allowed(req)
	if len(allowed) == 0 && !strings.HasPrefix(req.URL.Path, "/v1/") {
		return "" // not the API's: a page
	}
	if len(allowed) > 0 {
		if x.Status != http.StatusMethodNotAllowed {
			return fmt.Sprintf("the document gives this path only %s: want 405 (RFC 9110 §15.5.6), not %d", strings.Join(allowed, ", "), x.Status)
		}
		var got []string
		for _, m := range strings.Split(x.Header.Get("Allow"), ",") {
			if m = strings.TrimSpace(m); m != "" {
				got = append(got, m)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, allowed) {
			return fmt.Sprintf("Allow: %q, but the document gives this path %s", x.Header.Get("Allow"), strings.Join(allowed, ", "))
		}
	} else if x.Status != http.StatusNotFound {
		return fmt.Sprintf("no operation in the document (%s): want 404, not %d", firstLine(err), x.Status)
	}
	if x.Request.Method == http.MethodHead {
		return ""
	}
	if ct := x.Header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Sprintf("no operation in the document (%s): a refusal must be application/problem+json, not %q", firstLine(err), ct)
	}
	problem := c.Doc.Components.Schemas["Problem"]
	var v any
	if err := json.Unmarshal(x.Body, &v); err != nil {
		return "answer: the problem is not JSON: " + firstLine(err)
	}
	if err := problem.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
		return "answer: the problem does not match Problem: " + firstLine(err)
	}
	return ""
}

// allowed returns the methods the document gives req's path, sorted, with HEAD wherever GET is
// (RFC 9110 §9.3.2); none when the document does not have the path.
func (c *Contract) allowed(req *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut} {
		probe := req.Clone(context.Background())
		probe.Method = m
		if _, _, err := c.router.FindRoute(probe); err == nil {
			out = append(out, m)
			if m == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	slices.Sort(out)
	return out
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

// Handler wraps h so that every exchange is checked against the document. A request that carries
// CallerHeader gets a violation back in the answer's VerdictHeader (its caller fails the test that
// made the call: see Verdict); a violation of any other request goes to report.
//
// An answer is held back until it is checked; an event stream or a backup (text/event-stream,
// application/octet-stream) is passed on as it is written, its status and headers checked before they
// go out.
func (c *Contract) Handler(h http.Handler, report func(msg string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody bytes.Buffer
		if r.Body != nil {
			r.Body = teeBody{ReadCloser: r.Body, copy: &reqBody}
		}
		verdict := func(x Exchange) {
			if msg := c.Check(x); msg != "" {
				if r.Header.Get(CallerHeader) != "" {
					w.Header().Set(VerdictHeader, msg)
				} else {
					report(msg)
				}
			}
		}
		cw := &contractWriter{ResponseWriter: w}
		cw.onStart = func(status int) {
			verdict(Exchange{Request: r, RequestBody: reqBody.Bytes(), Status: status, Header: w.Header(), Stream: true})
		}
		h.ServeHTTP(cw, r)
		if cw.stream {
			return
		}
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		verdict(Exchange{Request: r, RequestBody: reqBody.Bytes(), Status: cw.status, Header: w.Header(), Body: cw.body.Bytes()})
		w.WriteHeader(cw.status)
		w.Write(cw.body.Bytes())
	})
}

// Verdict returns the violation a Handler put in an answer's header, and removes the header ("" when
// the exchange kept to the document).
func Verdict(h http.Header) string {
	v := h.Get(VerdictHeader)
	h.Del(VerdictHeader)
	return v
}
