// Package client is the Go client of the ledger's HTTP API (api/openapi.json, served at
// /openapi.json), as `ledger --server` uses it; its changes are listed in docs/changelog.md. Each
// method is one route:
//
//	List                 GET  /v1/partnerships                      *projections.List
//	State                GET  /v1/partnerships/{id}                 *projections.State
//	Appointments, Services, Savings, Decisions
//	                     GET  /v1/partnerships/{id}/{model}         *AppointmentsView ... *DecisionsView
//	Timeline             GET  /v1/partnerships/{id}/timeline        *projections.Timeline
//	PartnershipEvents    GET  /v1/partnerships/{id}/events          eventstore.Event, every page
//	Record               POST /v1/partnerships/{id}/events          Recorded (the event, its ETag)
//	Events               GET  /v1/events                            eventstore.Event, every page
//	Event                GET  /v1/events/{id}                       eventstore.Event
//	Proof                GET  /v1/events/{id}/proof                 audit.Bundle
//	TreeHead, Consistency, Key
//	                     GET  /v1/audit/{tree-head,consistency,key} audit.TreeHead, audit.Consistency, PublicKey
//	Checkpoint           GET  /checkpoint                           the signed note's bytes
//	ReviewPack           GET  /v1/partnerships/{id}/review-pack     the pack's bytes
//	IssueToken, RevokeToken
//	                     POST, DELETE /v1/admin/tokens              tokens.Issued
//
// Shapes and units: an answer decodes into the Go type the server encodes. Dates are civil dates
// YYYY-MM-DD (domain.Date; as_of is one); known_at is a seq of the global log, an RFC 3339 time or a
// date; money is integer pence (domain.Pence, "amount_pence", "net_pence"), never a float; a figure
// not recorded is JSON null (a nil pointer), never 0; shares are basis points (10000 = 100%); an
// event's data and sources are RFC 8785 canonical JSON, as the ledger hashes them.
//
// Errors: an error answer (RFC 9457 problem+json) is a *Problem carrying its status, type, title,
// detail and the fields it names (JSON pointer into the body, query parameter or header), and for a
// refused conditional record (412, IsPreconditionFailed) the stream's current ETag and revision; its
// kinds and statuses are those of docs/errors.md, and it is also an error for people
// (fault.Faulter) of the kind its problem type names. A server that cannot be reached, or whose
// answer cannot be read or is not what the route serves (another event, another partnership, more
// than the route's Max*Bytes), is a *TransportError. The client checks nothing a server says about
// the ledger: callers verify what they download (see audit) against a key they pinned.
//
// Import rules: client sits in the api layer (internal/layers: eventstore, domain, projections, audit,
// reviewpack, api, cmd); it imports eventstore, domain, projections, audit, reviewpack, tokens and
// fault, and not the server package (api) or the pages (api/web).
package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// The most a route's answer may hold: a server that sends more is refused (a *TransportError naming
// the server and route), not held in memory. Each bound is many times what the ledger's own server
// sends for that route.
const (
	MaxKeyBytes         = 4 << 10                 // GET /v1/audit/key: a 32-byte key, its id and algorithm
	MaxCheckpointBytes  = 64 << 10                // GET /checkpoint: a signed note and its cosignatures
	MaxTreeHeadBytes    = 16 << 10                // GET /v1/audit/tree-head: one signed head (about 300 bytes)
	MaxProofBytes       = 4 << 20                 // GET /v1/events/{id}/proof, /v1/audit/consistency: an event, 64 hashes, heads
	MaxTokenBytes       = 16 << 10                // POST /v1/admin/tokens
	MaxViewBytes        = 64 << 20                // GET /v1/partnerships and /v1/partnerships/{id}: a view of a ledger
	MaxPackBytes        = reviewpack.MaxFileBytes // GET /v1/partnerships/{id}/review-pack, one format
	MaxEventAnswerBytes = 2 << 20                 // one event in a page: eventstore.MaxDataBytes of data, JSON-escaped, with its envelope
	MaxProblemBytes     = 64 << 10                // an error answer (problem+json)
)

// MaxHeldBytes is the default budget of PartnershipEvents: the most bytes of pages read for one
// partnership (its events are held in memory by the caller). SetMaxHeldBytes changes it.
const MaxHeldBytes = 1 << 30

// PageSize is how many events a paged read asks for at once: a page's answer is bounded by
// PageSize × MaxEventAnswerBytes.
const PageSize = 100

// DefaultIdleTimeout is how long the client waits for a server that sends nothing: before the
// status line and headers of an answer, and between two reads of its body. A request as a whole
// may last ten times as long. SetIdleTimeout changes it.
const DefaultIdleTimeout = 30 * time.Second

// MaxDetail is the most characters of a problem's title or detail kept in a *Problem: a longer one
// is cut, saying how much was left out.
const MaxDetail = 300

// Client asks one ledger server. Safe for concurrent use once set up (SetIdleTimeout,
// SetMaxHeldBytes are for before the first request).
type Client struct {
	base    *url.URL
	token   string
	http    *http.Client
	idle    time.Duration
	maxHeld int64
}

// New returns a client of the server at base ("http://host:port", optionally with a path prefix). token,
// if not empty, is sent as "Authorization: Bearer TOKEN" (an auditor token reads the ledger's own
// ledger-* streams; an admin token issues tokens). The error says what is wrong with base.
func New(base, token string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %v", base, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q: want http://HOST:PORT or https://HOST:PORT", base)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("server URL %q: want only a scheme, a host and an optional path, no credentials, query or fragment", base)
	}
	// Redirects are not followed: the token is for this server alone, and a ledger server never
	// redirects its API (a 3xx answer is a *TransportError naming where it points).
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{base: u, token: token, http: hc, idle: DefaultIdleTimeout, maxHeld: MaxHeldBytes}, nil
}

// SetIdleTimeout sets how long the client waits for a server that sends nothing (see
// DefaultIdleTimeout); d <= 0 restores the default.
func (c *Client) SetIdleTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultIdleTimeout
	}
	c.idle = d
}

// SetMaxHeldBytes sets the budget of PartnershipEvents in bytes (see MaxHeldBytes); n <= 0 restores
// the default.
func (c *Client) SetMaxHeldBytes(n int64) {
	if n <= 0 {
		n = MaxHeldBytes
	}
	c.maxHeld = n
}

// Base is the server's URL as given to New, without a trailing slash.
func (c *Client) Base() string { return c.base.String() }

// HasToken reports whether the client sends a token.
func (c *Client) HasToken() bool { return c.token != "" }

// Problem is an error answer of the API: an RFC 9457 problem detail, with the request it answered.
// Its kinds, statuses and problem types are listed in docs/errors.md.
type Problem struct {
	Base         string // the server, as given to New
	Method, Path string // the request, e.g. GET /v1/audit/tree-head?size=9
	Status       int    // the HTTP status
	Type         string // the problem type, "/problems/<kind>" (fault.Kind.Type)
	Title        string
	Detail       string
	// Fields are the problem's "errors": each names a JSON pointer into the request body, a query
	// parameter or a header, with what is wrong with it.
	Fields []ProblemField
	// ExpectedRevision and CurrentRevision are the stream revisions of a refused conditional record
	// (the problem's expected_revision and current_revision members; nil when it sent none):
	// CurrentRevision is the partnership's last event's revision when the answer was made.
	ExpectedRevision, CurrentRevision *uint64
	// ETag is the answer's ETag header, as sent ("" when none): on a 412 to Record, the strong
	// entity-tag of the partnership's stream now (RFC 9110 §13.1.1), to send as IfMatch after
	// reading what changed.
	ETag string
	// Allow is the answer's Allow header split at commas (RFC 9110 §10.2.1): on a 405, the methods the
	// route takes.
	Allow []string
}

// IsPreconditionFailed reports whether the answer is 412 Precondition Failed (RFC 9110 §15.5.13): a
// Record whose IfMatch no longer names the partnership's last event. Nothing was recorded; ETag and
// CurrentRevision say where the stream is now.
func (p *Problem) IsPreconditionFailed() bool { return p.Status == http.StatusPreconditionFailed }

// ProblemField is one entry of a problem's "errors" member. At most one of Pointer, Parameter and
// Header names what is at fault; a field with none of them names the whole request body (the server
// sends "pointer": "", e.g. for a body that is empty or a JSON array: WholeBody is then true).
type ProblemField struct {
	Pointer   string `json:"pointer,omitempty"` // RFC 6901, into the request body; "" for the whole body
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
	Detail    string `json:"detail"`
	// WholeBody is true when the problem sent "pointer": "" (RFC 6901: the whole document), the body
	// as a whole being at fault.
	WholeBody bool `json:"-"`
}

// UnmarshalJSON reads an "errors" entry, telling "pointer": "" (the whole body) from no pointer.
func (f *ProblemField) UnmarshalJSON(b []byte) error {
	type plain ProblemField
	var v struct {
		plain
		Pointer *string `json:"pointer"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = ProblemField(v.plain)
	if v.Pointer != nil {
		f.Pointer = *v.Pointer
		f.WholeBody = *v.Pointer == ""
	}
	return nil
}

// Pointer returns the JSON pointer of the first field the problem names, or "" when it names none or
// names the whole body (ProblemField.WholeBody).
func (p *Problem) Pointer() string {
	for _, f := range p.Fields {
		if f.Pointer != "" {
			return f.Pointer
		}
	}
	return ""
}

// Error is one line: the request, the status, the title and the detail, e.g.
// "GET http://host:8080/v1/partnerships/x?as_of=2015-02-30: 400 The request cannot be read: as_of=... is not a valid date".
func (p *Problem) Error() string {
	msg := fmt.Sprintf("%s %s%s: %d", p.Method, p.Base, p.Path, p.Status)
	if p.Title != "" {
		msg += " " + p.Title
	} else if t := http.StatusText(p.Status); t != "" {
		msg += " " + t
	}
	if p.Detail != "" {
		msg += ": " + p.Detail
	}
	return msg
}

// Fault describes the problem for people (fault.Faulter): its kind read back from the problem type,
// the message Error gives, and the fields it names.
func (p *Problem) Fault() *fault.Error {
	kind := fault.KindOfType(p.Type)
	if p.Type == "" && p.Status == http.StatusNotFound {
		kind = fault.NotFound
	}
	f := &fault.Error{Kind: kind, Message: p.Error()}
	for _, pf := range p.Fields {
		f.Fields = append(f.Fields, fault.Field{Pointer: pf.Pointer, Parameter: pf.Parameter, Header: pf.Header, Message: pf.Detail})
	}
	return f
}

// TransportError is a request that got no usable answer: the server could not be reached, sent
// nothing for too long, redirected, broke off, sent more than the route's answer can hold, or sent
// something that is not the answer the route serves (a server fault). It is an error for people
// (fault.Faulter, kind Internal: the fault is the server's, not the input's), naming the server and
// route: "GET http://host:port/v1/audit/key: the answer is not ...".
type TransportError struct {
	Base, Method, Path string
	Err                error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s%s: %v", e.Method, e.Base, e.Path, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }

// Fault is the error for people: Error's line, of kind Internal (a server fault, never the input's).
// A fault of the answer's content (a malformed event) is the server's, not the caller's input.
func (e *TransportError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Internal, Message: e.Error(), Err: e.Err}
}

// fail returns a *TransportError for the request method path of c.
func (c *Client) fail(method, path string, format string, args ...any) *TransportError {
	return &TransportError{Base: c.Base(), Method: method, Path: path, Err: fmt.Errorf(format, args...)}
}

// stalled is the cause of a request ended because the server sent no status and headers within d
// (body false), or nothing of the body for d (body true).
type stalled struct {
	d    time.Duration
	body bool
}

func (s stalled) Error() string {
	if s.body {
		return fmt.Sprintf("the server sent nothing for %s", s.d)
	}
	return fmt.Sprintf("the server sent no status and headers within %s", s.d)
}

// tooSlow is the cause of a request ended because it lasted longer than d in all.
type tooSlow struct{ d time.Duration }

func (s tooSlow) Error() string {
	return fmt.Sprintf("the answer took longer than %s in all", s.d)
}

// answer is a 2xx answer's body: each read that brings bytes restarts the idle timer; Close ends the
// request.
type answer struct {
	header http.Header // the answer's headers
	body   io.ReadCloser
	ctx    context.Context
	timer  *time.Timer
	idle   time.Duration
	cancel context.CancelCauseFunc
}

func (a *answer) Read(p []byte) (int, error) {
	n, err := a.body.Read(p)
	if n > 0 {
		a.timer.Reset(a.idle)
	}
	if err != nil && err != io.EOF && a.ctx.Err() != nil {
		err = context.Cause(a.ctx)
	}
	return n, err
}

func (a *answer) Close() error {
	a.timer.Stop()
	err := a.body.Close()
	a.cancel(nil)
	return err
}

// do sends a request for path (a path below the base, with its query) and returns the answer's body
// when the status is 2xx; a 3xx is a *TransportError naming where it points (redirects are not
// followed), any other answer a *Problem. The request ends when the server sends nothing for the
// idle timeout, or lasts ten times that in all; the body must be closed.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, headers ...string) (*answer, error) {
	u, err := c.base.Parse(c.base.Path + path)
	if err != nil {
		return nil, c.fail(method, path, "%v", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	ctx, stop := context.WithTimeoutCause(ctx, 10*c.idle, tooSlow{10 * c.idle})
	cancelAll := func(cause error) { stop(); cancel(cause) }
	timer := time.AfterFunc(c.idle, func() { cancel(stalled{d: c.idle}) })
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		timer.Stop()
		cancelAll(nil)
		return nil, c.fail(method, path, "%v", err)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		timer.Stop()
		if ctx.Err() != nil && context.Cause(ctx) != nil {
			err = context.Cause(ctx)
		} else {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the URL is in the message already
			}
		}
		cancelAll(nil)
		return nil, c.fail(method, path, "%w", err)
	}
	timer.Stop()
	timer = time.AfterFunc(c.idle, func() { cancel(stalled{d: c.idle, body: true}) })
	a := &answer{header: resp.Header, body: resp.Body, ctx: ctx, timer: timer, idle: c.idle, cancel: cancelAll}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return a, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Close()
		where := resp.Header.Get("Location")
		if where == "" {
			where = "nowhere (no Location)"
		}
		return nil, c.fail(method, path, "answered %s, redirecting to %s: the ledger's client does not follow redirects; give the server's own URL", resp.Status, cut(where, MaxDetail))
	}
	defer a.Close()
	p := problemOf(method, path, resp.StatusCode, a)
	p.Base = c.Base()
	p.ETag = cut(resp.Header.Get("ETag"), 100)
	for _, v := range resp.Header.Values("Allow") {
		for m := range strings.SplitSeq(v, ",") {
			if m = strings.TrimSpace(m); m != "" && len(p.Allow) < 20 {
				p.Allow = append(p.Allow, cut(m, 20))
			}
		}
	}
	return nil, p
}

// cut returns s when it has at most max characters, else its first max and how much was left out.
func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return fmt.Sprintf("%s... (cut: %d more characters)", string(r[:max]), len(r)-max)
}

// problemOf reads an error answer: problem+json when it is one, else the status and the start of the
// body. Its title and detail are cut to MaxDetail characters.
func problemOf(method, path string, status int, body io.Reader) *Problem {
	p := &Problem{Method: method, Path: path, Status: status}
	b, _ := io.ReadAll(io.LimitReader(body, MaxProblemBytes+1))
	if len(b) > MaxProblemBytes {
		p.Detail = fmt.Sprintf("(the error answer is larger than %d bytes and is left out)", MaxProblemBytes)
		return p
	}
	var doc struct {
		Type   string         `json:"type"`
		Title  string         `json:"title"`
		Detail string         `json:"detail"`
		Errors []ProblemField `json:"errors"`
	}
	if err := json.Unmarshal(b, &doc); err == nil && (doc.Title != "" || doc.Detail != "") {
		p.Type, p.Title, p.Detail = doc.Type, cut(doc.Title, MaxDetail), cut(doc.Detail, MaxDetail)
		// The revisions of a refused conditional record (RFC 9457 §3.2 extension members), read on
		// their own: a server that sends them malformed still has its title and detail read.
		var revs struct {
			Expected *uint64 `json:"expected_revision"`
			Current  *uint64 `json:"current_revision"`
		}
		if json.Unmarshal(b, &revs) == nil {
			p.ExpectedRevision, p.CurrentRevision = revs.Expected, revs.Current
		}
		for i, f := range doc.Errors {
			if i == 20 {
				break
			}
			f.Detail = cut(f.Detail, MaxDetail)
			p.Fields = append(p.Fields, f)
		}
		return p
	}
	if text := strings.TrimSpace(string(b)); text != "" && len(text) <= 200 {
		p.Detail = text
	}
	return p
}

// read returns the body of a 2xx answer to path, refusing one of more than max bytes.
func (c *Client) read(method, path string, body io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("the answer is larger than %d bytes, more than this route ever answers", max)
	}
	if err != nil {
		return nil, c.fail(method, path, "reading the answer: %w", err)
	}
	return b, nil
}

// getJSON GETs path and decodes the JSON answer (at most max bytes) into v: see sendJSON.
func (c *Client) getJSON(ctx context.Context, path string, max int64, v any, required ...string) error {
	return c.sendJSON(ctx, http.MethodGet, path, nil, max, v, required...)
}

// sendJSON sends body (nil: none) as JSON and decodes the answer, at most max bytes, into v (nil:
// the answer is dropped). The answer must be a JSON object holding each required member (not
// null): anything else is not what the route serves, a *TransportError.
func (c *Client) sendJSON(ctx context.Context, method, path string, body any, max int64, v any, required ...string) error {
	var rd io.Reader
	ctype := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd, ctype = strings.NewReader(string(b)), "application/json"
	}
	resp, err := c.do(ctx, method, path, rd, ctype)
	if err != nil {
		return err
	}
	defer resp.Close()
	if v == nil {
		return nil
	}
	return c.decode(method, path, resp, max, v, required...)
}

// decode reads the answer body (at most max bytes) to the request method path and decodes it into v.
// The answer must be a JSON object holding each required member (not null): anything else is not what
// the route serves, a *TransportError.
func (c *Client) decode(method, path string, body io.Reader, max int64, v any, required ...string) error {
	b, err := c.read(method, path, body, max)
	if err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return c.fail(method, path, "the answer is not a JSON object, as this route serves: %s", describe(b, err))
	}
	for _, m := range required {
		if raw, ok := members[m]; !ok || string(raw) == "null" {
			return c.fail(method, path, "the answer has no %q, which this route always serves: not a ledger server's answer", m)
		}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return c.fail(method, path, "reading the answer: %v", err)
	}
	return nil
}

// describe says what an answer that is not a JSON object is.
func describe(b []byte, err error) string {
	t := strings.TrimSpace(string(b))
	switch {
	case t == "":
		return "it is empty"
	case t == "null":
		return "it is null"
	case err != nil:
		return err.Error()
	}
	return fmt.Sprintf("it starts %q", cut(t, 20))
}

// getBytes GETs path and returns the answer's body as it is, at most max bytes.
func (c *Client) getBytes(ctx context.Context, path string, max int64) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	return c.read(http.MethodGet, path, resp, max)
}

// Query is a point in both times: AsOf (YYYY-MM-DD, "" for today) and KnownAt (a seq, an RFC 3339 time
// or a date; "" for everything recorded), as the API's as_of and known_at parameters take them.
type Query struct {
	AsOf, KnownAt string
}

func (q Query) values() url.Values {
	v := url.Values{}
	if q.AsOf != "" {
		v.Set("as_of", q.AsOf)
	}
	if q.KnownAt != "" {
		v.Set("known_at", q.KnownAt)
	}
	return v
}

// withQuery returns path with v as its query.
func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// State is GET /v1/partnerships/{id}: the partnership at q. An answer that is not that partnership's
// state (another partnership, members missing) is a *TransportError.
func (c *Client) State(ctx context.Context, slug string, q Query) (*projections.State, error) {
	var st projections.State
	path := withQuery("/v1/partnerships/"+url.PathEscape(slug), q.values())
	if err := c.getJSON(ctx, path, MaxViewBytes, &st, "partnership", "as_of", "known_at", "name", "status"); err != nil {
		return nil, err
	}
	if st.Partnership != slug {
		return nil, c.fail(http.MethodGet, path, "the answer is the state of partnership %q, not of %q", cut(st.Partnership, 100), slug)
	}
	return &st, nil
}

// List is GET /v1/partnerships: every partnership at q. Its KnownAt.Seq is q's known_at resolved over
// the whole log (projections.Models.ResolveKnownAt); with no known_at, the log's last seq.
func (c *Client) List(ctx context.Context, q Query) (*projections.List, error) {
	var l projections.List
	path := withQuery("/v1/partnerships", q.values())
	if err := c.getJSON(ctx, path, MaxViewBytes, &l, "partnerships", "as_of", "known_at"); err != nil {
		return nil, err
	}
	return &l, nil
}

// page is a page of events as /v1/events and /v1/partnerships/{id}/events serve it.
type page struct {
	Events []eventstore.Event `json:"events"`
	Next   string             `json:"next"`
}

// nextPath checks a page's next link: a path of this API (below /v1/, no dot segments, no host, no
// scheme; RFC 3986 §5.2.4 would resolve "/v1/../x" elsewhere), returned as it will be asked.
func nextPath(next string) (string, error) {
	u, err := url.Parse(next)
	switch {
	case err != nil:
		return "", fmt.Errorf("the next page %q is not a URL path: %v", cut(next, 100), err)
	case u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" || strings.HasPrefix(next, "//"):
		return "", fmt.Errorf("the next page %q is not a path of this API: it names a server or scheme", cut(next, 100))
	case !strings.HasPrefix(u.Path, "/v1/") || path.Clean(u.Path) != u.Path || strings.Contains(u.EscapedPath(), "%2"):
		return "", fmt.Errorf("the next page %q is not a path of this API (below /v1/, without dot segments)", cut(next, 100))
	}
	return u.EscapedPath() + "?" + u.RawQuery, nil
}

// budget bounds a paged read: events beyond seq upTo end it quietly (they were recorded after what
// the caller asked up to); more than maxBytes of pages end it with an error.
type budget struct {
	upTo     uint64
	maxBytes int64 // 0: no bound beyond upTo
	what     string
}

// paged yields the events of the pages from first on, up to seq b.upTo, following each page's next
// link (nextPath; anything else ends the read with an error). The next page is fetched while the
// events of the one before are yielded. Each event's data and sources are canonicalised (RFC 8785),
// as the ledger stores and hashes them: encoding/json escapes <, > and & in an answer. A page of more
// than limit events, one whose events do not move forward in seq, or pages of more than b.maxBytes
// in all end the read with an error: a server that keeps sending pages is stopped by the seqs it
// claimed (upTo) and the byte budget, not by memory.
func (c *Client) paged(ctx context.Context, first string, limit int, b budget) iter.Seq2[eventstore.Event, error] {
	type fetched struct {
		p     page
		bytes int64
		err   error
	}
	maxPage := int64(limit)*MaxEventAnswerBytes + 4<<10
	return func(yield func(eventstore.Event, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // ends a fetch ahead that is no longer wanted
		fetch := func(path string) <-chan fetched {
			ch := make(chan fetched, 1)
			go func() {
				var f fetched
				resp, err := c.do(ctx, http.MethodGet, path, nil, "")
				if err != nil {
					f.err = err
					ch <- f
					return
				}
				defer resp.Close()
				body, err := c.read(http.MethodGet, path, resp, maxPage)
				switch {
				case err != nil:
					f.err = err
				case json.Unmarshal(body, &struct {
					Events *[]eventstore.Event `json:"events"`
					Next   *string             `json:"next"`
				}{&f.p.Events, &f.p.Next}) != nil:
					f.err = c.fail(http.MethodGet, path, "the answer is not a page of events: %s", describe(body, json.Unmarshal(body, new(page))))
				case f.p.Events == nil:
					f.err = c.fail(http.MethodGet, path, "the answer has no \"events\", which this route always serves: not a ledger server's answer")
				case len(f.p.Events) > limit:
					f.err = c.fail(http.MethodGet, path, "the page holds %d events; %d were asked for", len(f.p.Events), limit)
				}
				f.bytes = int64(len(body))
				ch <- f
			}()
			return ch
		}
		var last uint64
		var total int64
		path, pending := first, fetch(first)
		for pending != nil {
			f := <-pending
			pending = nil
			if f.err != nil {
				yield(eventstore.Event{}, f.err)
				return
			}
			total += f.bytes
			if b.maxBytes > 0 && total > b.maxBytes {
				yield(eventstore.Event{}, c.fail(http.MethodGet, path, "the server sent more than %d bytes of %s, more than this client holds; it claimed events up to seq %d", b.maxBytes, b.what, b.upTo))
				return
			}
			var nextErr error
			next := f.p.Next
			switch {
			case len(f.p.Events) == 0 || next == "" || f.p.Events[len(f.p.Events)-1].Seq >= b.upTo:
			default:
				if next, nextErr = nextPath(next); nextErr != nil {
					nextErr = c.fail(http.MethodGet, path, "%v", nextErr)
				} else {
					pending = fetch(next)
				}
			}
			for _, e := range f.p.Events {
				if e.Seq <= last {
					yield(eventstore.Event{}, c.fail(http.MethodGet, path, "event seq %d follows seq %d: the pages do not move forward", e.Seq, last))
					return
				}
				if e.Seq > b.upTo {
					return // recorded after what was asked for
				}
				last = e.Seq
				if err := canonical(&e); err != nil {
					yield(eventstore.Event{}, c.fail(http.MethodGet, path, "event seq %d (id %s): not JSON: %v", e.Seq, e.ID, err))
					return
				}
				if !yield(e, nil) {
					return
				}
			}
			if nextErr != nil {
				yield(eventstore.Event{}, nextErr)
				return
			}
			path = next
		}
	}
}

// PartnershipEvents is GET /v1/partnerships/{id}/events, every page: the partnership's stream in
// order, up to seq upTo (what the server claimed the log holds, e.g. List's known_at seq; events
// beyond it end the read). More than the client's held-bytes budget (SetMaxHeldBytes) of pages is a
// *TransportError. A partnership with no events is a *Problem with status 404.
func (c *Client) PartnershipEvents(ctx context.Context, slug string, upTo uint64) iter.Seq2[eventstore.Event, error] {
	return c.paged(ctx, "/v1/partnerships/"+url.PathEscape(slug)+"/events?limit="+strconv.Itoa(PageSize), PageSize,
		budget{upTo: upTo, maxBytes: c.maxHeld, what: "events of partnership " + slug})
}

// Events is GET /v1/events, every page from after on, up to seq upTo (the size of a tree head the
// server signed; events beyond it end the read): the global log in seq order. Events of the ledger's
// own streams (ledger-*) are served to an auditor token only; for other callers the seqs have gaps
// where they are. The events are yielded, not held: only upTo bounds the read.
func (c *Client) Events(ctx context.Context, after, upTo uint64) iter.Seq2[eventstore.Event, error] {
	return c.paged(ctx, fmt.Sprintf("/v1/events?after=%d&limit=%d", after, PageSize), PageSize, budget{upTo: upTo, what: "events"})
}

// checkHead checks that th has what every signed tree head has (a key id, a timestamp, a 64-byte
// signature) and, when size > 0, that it is of that size: the members a server cannot leave out. It
// does not check the signature (audit.VerifyTreeHead does, against a pinned key).
func checkHead(th audit.TreeHead, size uint64) error {
	switch {
	case len(th.Signature) != ed25519.SignatureSize:
		return fmt.Errorf("its signature is %d bytes, not %d", len(th.Signature), ed25519.SignatureSize)
	case th.KeyID == "":
		return errors.New("it has no key_id")
	case th.Timestamp.IsZero():
		return errors.New("it has no timestamp")
	case size > 0 && th.Size != size:
		return fmt.Errorf("it is of size %d; size %d was asked for", th.Size, size)
	}
	return nil
}

// Proof is GET /v1/events/{id}/proof: the event's inclusion proof bundle under the latest tree head.
// A bundle of another event, or without a signed head, is a *TransportError; the proof itself is the
// caller's to check (audit.CheckBundle).
func (c *Client) Proof(ctx context.Context, id uuid.UUID) (audit.Bundle, error) {
	var b audit.Bundle
	path := "/v1/events/" + id.String() + "/proof"
	if err := c.getJSON(ctx, path, MaxProofBytes, &b, "event", "leaf_index", "audit_path", "tree_head"); err != nil {
		return b, err
	}
	if b.Event.ID != id {
		return b, c.fail(http.MethodGet, path, "the answer is the proof of event %s, not of %s", b.Event.ID, id)
	}
	if err := checkHead(b.TreeHead, 0); err != nil {
		return b, c.fail(http.MethodGet, path, "the bundle's tree head is not a signed tree head: %v", err)
	}
	if err := canonical(&b.Event); err != nil {
		return b, c.fail(http.MethodGet, path, "event %s: not JSON: %v", id, err)
	}
	return b, nil
}

// TreeHead is GET /v1/audit/tree-head: the signed tree head of size (0: the latest). A head without a
// signature, key id or timestamp, or of another size than asked, is a *TransportError; its
// signature is the caller's to check (audit.VerifyTreeHead).
func (c *Client) TreeHead(ctx context.Context, size uint64) (audit.TreeHead, error) {
	var th audit.TreeHead
	path := "/v1/audit/tree-head"
	if size > 0 {
		path += "?size=" + strconv.FormatUint(size, 10)
	}
	if err := c.getJSON(ctx, path, MaxTreeHeadBytes, &th, "size", "root", "timestamp", "key_id", "signature"); err != nil {
		return th, err
	}
	if err := checkHead(th, size); err != nil {
		return th, c.fail(http.MethodGet, path, "the answer is not a signed tree head: %v", err)
	}
	return th, nil
}

// Consistency is GET /v1/audit/consistency: the proof that the tree of size to extends the tree of size
// from (to 0: the latest), with both signed heads (checked as TreeHead checks one; the proof is the
// caller's to check, audit.CheckConsistency).
func (c *Client) Consistency(ctx context.Context, from, to uint64) (audit.Consistency, error) {
	var cp audit.Consistency
	path := fmt.Sprintf("/v1/audit/consistency?from=%d", from)
	if to > 0 {
		path += fmt.Sprintf("&to=%d", to)
	}
	if err := c.getJSON(ctx, path, MaxProofBytes, &cp, "from", "to", "proof"); err != nil {
		return cp, err
	}
	if err := checkHead(cp.From, from); err != nil {
		return cp, c.fail(http.MethodGet, path, "its older head is not a signed tree head: %v", err)
	}
	if err := checkHead(cp.To, to); err != nil {
		return cp, c.fail(http.MethodGet, path, "its newer head is not a signed tree head: %v", err)
	}
	return cp, nil
}

// PublicKey is the tree-signing public key as GET /v1/audit/key serves it.
type PublicKey struct {
	PublicKey string `json:"public_key"` // base64 of the 32-byte Ed25519 key
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"` // Ed25519
	// Origin names the ledger in its checkpoints; VKey is the key as a C2SP signed-note verifier key
	// under that origin ("<origin>+<8 hex>+<base64>"), the text to pin for checkpoints.
	Origin string `json:"origin"`
	VKey   string `json:"vkey"`
}

// Key is GET /v1/audit/key. An answer whose public key is not a 32-byte Ed25519 key, or whose key id
// is not that key's (audit.KeyID), is a *TransportError.
func (c *Client) Key(ctx context.Context) (PublicKey, error) {
	var k PublicKey
	path := "/v1/audit/key"
	if err := c.getJSON(ctx, path, MaxKeyBytes, &k, "public_key", "key_id", "algorithm"); err != nil {
		return k, err
	}
	pub, err := audit.ParsePublicKey(k.PublicKey)
	switch {
	case err != nil:
		return k, c.fail(http.MethodGet, path, "the answer's public_key is not an Ed25519 public key: %v", err)
	case k.Algorithm != "Ed25519":
		return k, c.fail(http.MethodGet, path, "the answer's algorithm is %q, not Ed25519", cut(k.Algorithm, 40))
	case k.KeyID != audit.KeyID(pub):
		return k, c.fail(http.MethodGet, path, "the answer's key_id %q is not the id of its public key (%s)", cut(k.KeyID, 80), audit.KeyID(pub))
	}
	if k.VKey == "" && k.Origin == "" {
		return k, nil // a server that keeps no checkpoints
	}
	if pin, err := audit.ParsePinnedKey(k.VKey); err != nil || !pin.Public.Equal(pub) || pin.Origin != k.Origin {
		return k, c.fail(http.MethodGet, path, "the answer's vkey %q is not its public key under its origin %q", cut(k.VKey, 120), cut(k.Origin, 80))
	}
	return k, nil
}

// Checkpoint is GET /checkpoint: the ledger's latest signed checkpoint (C2SP tlog-checkpoint) with
// the cosignatures stored for it, as the server sent it. Its signature is for the caller to check
// (audit.VerifyCheckpoint); an answer that is not a checkpoint at all is a *TransportError.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	const path = "/checkpoint"
	b, err := c.getBytes(ctx, path, MaxCheckpointBytes)
	if err != nil {
		return nil, err
	}
	if _, err := audit.ParseCheckpoint(b); err != nil {
		return nil, c.fail(http.MethodGet, path, "the answer is not a signed checkpoint: %v", err)
	}
	return b, nil
}

// PackQuery is what GET /v1/partnerships/{id}/review-pack takes: the point in both times (AsOf is
// required) and the cover options.
type PackQuery struct {
	Query
	Since             string // the last report's known-at, as given
	Committee, Author string
	Meetings          []string // "BODY=DATE", each sent as a meeting parameter
}

// ReviewPack is GET /v1/partnerships/{id}/review-pack: the pack rendered in format (html, pdf, md or
// json), byte for byte as the server rendered it.
func (c *Client) ReviewPack(ctx context.Context, slug string, q PackQuery, format string) ([]byte, error) {
	v := q.values()
	v.Set("format", format)
	for name, val := range map[string]string{"committee": q.Committee, "author": q.Author, "since": q.Since} {
		if val != "" {
			v.Set(name, val)
		}
	}
	for _, m := range q.Meetings {
		v.Add("meeting", m)
	}
	return c.getBytes(ctx, withQuery("/v1/partnerships/"+url.PathEscape(slug)+"/review-pack", v), MaxPackBytes)
}

// IssueToken is POST /v1/admin/tokens (an admin token is needed): the token issued, shown once.
func (c *Client) IssueToken(ctx context.Context, role, actor string) (tokens.Issued, error) {
	var issued tokens.Issued
	err := c.sendJSON(ctx, http.MethodPost, "/v1/admin/tokens", map[string]string{"role": role, "actor": actor}, MaxTokenBytes, &issued, "token", "token_id")
	return issued, err
}

// RevokeToken is DELETE /v1/admin/tokens/{id} (an admin token is needed).
func (c *Client) RevokeToken(ctx context.Context, id uuid.UUID) error {
	return c.sendJSON(ctx, http.MethodDelete, "/v1/admin/tokens/"+id.String(), nil, MaxTokenBytes, nil)
}

// canonical puts an event's data and sources back in the form the ledger stores and hashes (RFC 8785
// canonical JSON): the server's encoder escapes <, > and & in an answer. The error says which is not
// JSON.
func canonical(e *eventstore.Event) error {
	var err error
	if e.Data, err = eventstore.Canonicalize(e.Data); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if e.Sources, err = eventstore.Canonicalize(e.Sources); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	return nil
}
