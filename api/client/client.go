// Package client is a Go client of the ledger's own HTTP API (api/openapi.json), as `ledger --server`
// uses it. Each method is one route; an answer decodes into the Go type the server encodes
// (eventstore.Event, projections.State, projections.List, audit.TreeHead, audit.Bundle,
// audit.Consistency, tokens.Issued). An error answer (RFC 9457 problem+json) is a *Problem carrying
// its status, title, detail and the fields it names (JSON pointer, parameter or header); it is also
// an error for people (fault.Faulter) of the kind its problem type names. A server that cannot be
// reached, or whose answer cannot be read, is a *TransportError. The client checks nothing a server
// says about the ledger: callers verify what they download (see audit) against a key they pinned.
//
// Import rules: client sits in the api layer (internal/layers: eventstore, domain, projections, audit,
// reviewpack, api, cmd); it imports eventstore, projections, audit, tokens and fault, and not the
// server package (api) or the pages (api/web).
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/tokens"
)

// MaxAnswerBytes bounds one answer read from a server (a page of 1,000 events of at most
// eventstore.MaxDataBytes each fits): a server that sends more is refused, not held in memory.
const MaxAnswerBytes = 512 << 20

// PageSize is how many events a paged read asks for at once (the API's largest limit).
const PageSize = 1000

// Client asks one ledger server. Safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
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
	return &Client{base: u, token: token, http: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// Base is the server's URL as given to New, without a trailing slash.
func (c *Client) Base() string { return c.base.String() }

// HasToken reports whether the client sends a token.
func (c *Client) HasToken() bool { return c.token != "" }

// Problem is an error answer of the API: an RFC 9457 problem detail, with the request it answered.
type Problem struct {
	Method, Path string // the request, e.g. GET /v1/audit/tree-head?size=9
	Status       int    // the HTTP status
	Type         string
	Title        string
	Detail       string
	// Fields are the problem's "errors": each names a JSON pointer into the request body, a query
	// parameter or a header, with what is wrong with it.
	Fields []ProblemField
}

// ProblemField is one entry of a problem's "errors" member.
type ProblemField struct {
	Pointer   string `json:"pointer,omitempty"` // RFC 6901, into the request body
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
	Detail    string `json:"detail"`
}

// Pointer returns the JSON pointer of the first field the problem names, or "" when it names none.
func (p *Problem) Pointer() string {
	for _, f := range p.Fields {
		if f.Pointer != "" {
			return f.Pointer
		}
	}
	return ""
}

// Error is one line: the request, the status, the title and the detail, e.g.
// "GET /v1/partnerships/x?as_of=2015-02-30: 400 The request cannot be read: as_of=... is not a valid date".
func (p *Problem) Error() string {
	msg := fmt.Sprintf("%s %s: %d", p.Method, p.Path, p.Status)
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

// TransportError is a request that got no usable answer: the server could not be reached, the answer
// broke off, was too large or was not the JSON the route serves.
type TransportError struct {
	Method, Path string
	Err          error
}

func (e *TransportError) Error() string { return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err) }
func (e *TransportError) Unwrap() error { return e.Err }

// do sends a request for path (a path below the base, with its query) and returns the answer's body
// when the status is 2xx; any other answer is a *Problem.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string) (*http.Response, error) {
	u, err := c.base.Parse(c.base.Path + path)
	if err != nil {
		return nil, &TransportError{Method: method, Path: path, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, &TransportError{Method: method, Path: path, Err: err}
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the message already
		}
		return nil, &TransportError{Method: method, Path: path, Err: fmt.Errorf("ask %s: %w", c.base, err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, problemOf(method, path, resp)
}

// problemOf reads an error answer: problem+json when it is one, else the status and the start of the
// body.
func problemOf(method, path string, resp *http.Response) *Problem {
	p := &Problem{Method: method, Path: path, Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var doc struct {
		Type   string         `json:"type"`
		Title  string         `json:"title"`
		Detail string         `json:"detail"`
		Errors []ProblemField `json:"errors"`
	}
	if err := json.Unmarshal(b, &doc); err == nil && (doc.Title != "" || doc.Detail != "") {
		p.Type, p.Title, p.Detail, p.Fields = doc.Type, doc.Title, doc.Detail, doc.Errors
		return p
	}
	if text := strings.TrimSpace(string(b)); text != "" && len(text) <= 200 {
		p.Detail = text
	}
	return p
}

// getJSON GETs path and decodes the JSON answer into v.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	return c.sendJSON(ctx, http.MethodGet, path, nil, v)
}

// sendJSON sends body (nil: none) as JSON and decodes the answer into v (nil: the answer is dropped).
func (c *Client) sendJSON(ctx context.Context, method, path string, body, v any) error {
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
	defer resp.Body.Close()
	if v == nil {
		return nil
	}
	lr := &io.LimitedReader{R: resp.Body, N: MaxAnswerBytes + 1}
	if err := json.NewDecoder(lr).Decode(v); err != nil {
		if lr.N <= 0 {
			err = fmt.Errorf("the answer is larger than %d bytes", MaxAnswerBytes)
		}
		return &TransportError{Method: method, Path: path, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	return nil
}

// getBytes GETs path and returns the answer's body as it is.
func (c *Client) getBytes(ctx context.Context, path string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, path, nil, "")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes+1))
	if err == nil && len(b) > MaxAnswerBytes {
		err = fmt.Errorf("the answer is larger than %d bytes", MaxAnswerBytes)
	}
	if err != nil {
		return nil, &TransportError{Method: http.MethodGet, Path: path, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	return b, nil
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

// State is GET /v1/partnerships/{id}: the partnership at q.
func (c *Client) State(ctx context.Context, slug string, q Query) (*projections.State, error) {
	var st projections.State
	if err := c.getJSON(ctx, withQuery("/v1/partnerships/"+url.PathEscape(slug), q.values()), &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// List is GET /v1/partnerships: every partnership at q. Its KnownAt.Seq is q's known_at resolved over
// the whole log (projections.Models.ResolveKnownAt).
func (c *Client) List(ctx context.Context, q Query) (*projections.List, error) {
	var l projections.List
	if err := c.getJSON(ctx, withQuery("/v1/partnerships", q.values()), &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// page is a page of events as /v1/events and /v1/partnerships/{id}/events serve it.
type page struct {
	Events []eventstore.Event `json:"events"`
	Next   string             `json:"next"`
}

// paged yields the events of the pages from first on, following each page's next link (a path on the
// same server; anything else ends the read with an error). The next page is fetched while the events
// of the one before are yielded. Each event's data and sources are canonicalised (RFC 8785), as the
// ledger stores and hashes them: encoding/json escapes <, > and & in an answer. A page whose events do
// not move forward in seq ends the read with an error.
func (c *Client) paged(ctx context.Context, first string) iter.Seq2[eventstore.Event, error] {
	type fetched struct {
		p   page
		err error
	}
	return func(yield func(eventstore.Event, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // ends a fetch ahead that is no longer wanted
		fetch := func(path string) <-chan fetched {
			ch := make(chan fetched, 1)
			go func() {
				var f fetched
				f.err = c.getJSON(ctx, path, &f.p)
				ch <- f
			}()
			return ch
		}
		var last uint64
		path, pending := first, fetch(first)
		for pending != nil {
			f := <-pending
			pending = nil
			if f.err != nil {
				yield(eventstore.Event{}, f.err)
				return
			}
			var nextErr error
			next := f.p.Next
			switch {
			case len(f.p.Events) == 0 || next == "":
			case !strings.HasPrefix(next, "/v1/") || strings.HasPrefix(next, "//"):
				nextErr = &TransportError{Method: http.MethodGet, Path: path, Err: fmt.Errorf("the next page %q is not a path of this API", next)}
			default:
				pending = fetch(next)
			}
			for _, e := range f.p.Events {
				if e.Seq <= last {
					yield(eventstore.Event{}, &TransportError{Method: http.MethodGet, Path: path,
						Err: fmt.Errorf("event seq %d follows seq %d: the pages do not move forward", e.Seq, last)})
					return
				}
				last = e.Seq
				var err error
				if e.Data, err = eventstore.Canonicalize(e.Data); err == nil {
					e.Sources, err = eventstore.Canonicalize(e.Sources)
				}
				if err != nil {
					yield(eventstore.Event{}, &TransportError{Method: http.MethodGet, Path: path,
						Err: fmt.Errorf("event seq %d (id %s): not JSON: %v", e.Seq, e.ID, err)})
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
// order. A partnership with no events is a *Problem with status 404.
func (c *Client) PartnershipEvents(ctx context.Context, slug string) iter.Seq2[eventstore.Event, error] {
	return c.paged(ctx, "/v1/partnerships/"+url.PathEscape(slug)+"/events?limit="+strconv.Itoa(PageSize))
}

// Events is GET /v1/events, every page from after on: the global log in seq order. Events of the
// ledger's own streams (ledger-*) are served to an auditor token only; for other callers the seqs
// have gaps where they are.
func (c *Client) Events(ctx context.Context, after uint64) iter.Seq2[eventstore.Event, error] {
	return c.paged(ctx, fmt.Sprintf("/v1/events?after=%d&limit=%d", after, PageSize))
}

// Proof is GET /v1/events/{id}/proof: the event's inclusion proof bundle under the latest tree head.
func (c *Client) Proof(ctx context.Context, id uuid.UUID) (audit.Bundle, error) {
	var b audit.Bundle
	err := c.getJSON(ctx, "/v1/events/"+id.String()+"/proof", &b)
	if err == nil {
		b.Event.Data, err = eventstore.Canonicalize(b.Event.Data)
	}
	if err == nil {
		b.Event.Sources, err = eventstore.Canonicalize(b.Event.Sources)
	}
	return b, err
}

// TreeHead is GET /v1/audit/tree-head: the signed tree head of size (0: the latest).
func (c *Client) TreeHead(ctx context.Context, size uint64) (audit.TreeHead, error) {
	var th audit.TreeHead
	path := "/v1/audit/tree-head"
	if size > 0 {
		path += "?size=" + strconv.FormatUint(size, 10)
	}
	err := c.getJSON(ctx, path, &th)
	return th, err
}

// Consistency is GET /v1/audit/consistency: the proof that the tree of size to extends the tree of size
// from (to 0: the latest), with both signed heads.
func (c *Client) Consistency(ctx context.Context, from, to uint64) (audit.Consistency, error) {
	var cp audit.Consistency
	path := fmt.Sprintf("/v1/audit/consistency?from=%d", from)
	if to > 0 {
		path += fmt.Sprintf("&to=%d", to)
	}
	err := c.getJSON(ctx, path, &cp)
	return cp, err
}

// PublicKey is the tree-signing public key as GET /v1/audit/key serves it.
type PublicKey struct {
	PublicKey string `json:"public_key"` // base64 of the 32-byte Ed25519 key
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"` // Ed25519
}

// Key is GET /v1/audit/key.
func (c *Client) Key(ctx context.Context) (PublicKey, error) {
	var k PublicKey
	err := c.getJSON(ctx, "/v1/audit/key", &k)
	return k, err
}

// PackQuery is what GET /v1/partnerships/{id}/review-pack takes: the point in both times (AsOf is
// required) and the cover options.
type PackQuery struct {
	Query
	Committee, Meeting, Author string
}

// ReviewPack is GET /v1/partnerships/{id}/review-pack: the pack rendered in format (html, pdf, md or
// json), byte for byte as the server rendered it.
func (c *Client) ReviewPack(ctx context.Context, slug string, q PackQuery, format string) ([]byte, error) {
	v := q.values()
	v.Set("format", format)
	for name, val := range map[string]string{"committee": q.Committee, "meeting": q.Meeting, "author": q.Author} {
		if val != "" {
			v.Set(name, val)
		}
	}
	return c.getBytes(ctx, withQuery("/v1/partnerships/"+url.PathEscape(slug)+"/review-pack", v))
}

// IssueToken is POST /v1/admin/tokens (an admin token is needed): the token issued, shown once.
func (c *Client) IssueToken(ctx context.Context, role, actor string) (tokens.Issued, error) {
	var issued tokens.Issued
	err := c.sendJSON(ctx, http.MethodPost, "/v1/admin/tokens", map[string]string{"role": role, "actor": actor}, &issued)
	return issued, err
}

// RevokeToken is DELETE /v1/admin/tokens/{id} (an admin token is needed).
func (c *Client) RevokeToken(ctx context.Context, id uuid.UUID) error {
	return c.sendJSON(ctx, http.MethodDelete, "/v1/admin/tokens/"+id.String(), nil, nil)
}
