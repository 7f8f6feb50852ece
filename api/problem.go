package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/tokens"
)

// Problem is an RFC 9457 problem detail, the body of every error answer.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Errors   []ProblemField `json:"errors,omitempty"`
	// Conflicts carry the revisions involved.
	ExpectedRevision *uint64 `json:"expected_revision,omitempty"`
	CurrentRevision  *uint64 `json:"current_revision,omitempty"`
}

// ProblemField names one offending field: a value of the body by JSON pointer (RFC 6901; "" is the
// whole body), a query or path parameter, or a header. Exactly one of pointer, parameter and header
// is sent: a field that names neither a parameter nor a header names a value of the body, and its
// pointer is sent even when it is "" (MarshalJSON).
type ProblemField struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
	Detail    string `json:"detail"`
	Event     string `json:"event,omitempty"` // the recorded event a command would break
}

// MarshalJSON writes the field, with "pointer": "" when it names the whole body. Like every answer,
// it leaves <, > and & unescaped.
func (f ProblemField) MarshalJSON() ([]byte, error) {
	type plain ProblemField
	var v any = plain(f)
	if f.Pointer == "" && f.Parameter == "" && f.Header == "" {
		v = struct {
			Pointer string `json:"pointer"`
			plain
		}{"", plain(f)}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Errors the handlers return for the mapping below to answer.
var (
	errNotFound     = fault.Errorf(fault.NotFound, "not found")
	errUnauthorized = fault.Errorf(fault.Unauthorized, "a valid bearer token is required (Authorization: Bearer <token>)")
	errNotReady     = fault.Errorf(fault.NotReady, "the read models have not caught up yet")
)

// forbidden is the 403 of a caller whose token's role (held) may not do what needs role need: it
// names both, "this needs a recorder (or admin) token; yours is an auditor token".
func forbidden(need, held string) error {
	return fault.Errorf(fault.Forbidden, "this needs %s token; yours is %s token", roleNeeded(need), withArticle(held))
}

// roleNeeded names role need and the roles above it that may do the same (tokens.Principal.Can).
func roleNeeded(need string) string {
	switch need {
	case tokens.RoleAdmin:
		return withArticle(need)
	case tokens.RoleReader:
		return withArticle(need) + " (or any)"
	}
	return withArticle(need) + " (or " + tokens.RoleAdmin + ")"
}

// withArticle is a role with its indefinite article: "an auditor", "a recorder".
func withArticle(role string) string {
	if role != "" && strings.ContainsRune("aeiou", rune(role[0])) {
		return "an " + role
	}
	return "a " + role
}

// preconditionFailed is a request whose If-Match (RFC 9110 §13.1.1) names no current revision of
// the partnership, so nothing was recorded: 412, with the current revision as current_revision
// and, in the ETag header, as the entity-tag to send instead (writeError).
type preconditionFailed struct {
	header  string // the condition that failed: If-Match or If-None-Match
	read    bool   // a GET: nothing was asked to be recorded
	sent    string // the header as sent
	current uint64 // the partnership's last revision, when exists
	exists  bool   // false: nothing is recorded for the partnership
}

func (e *preconditionFailed) Error() string { return e.Fault().Message }

// Fault is the problem for people (fault.PreconditionFailed, naming the header If-Match).
func (e *preconditionFailed) Fault() *fault.Error {
	var msg, field string
	switch {
	case e.read:
		msg = fmt.Sprintf(`If-Match: %s does not match the partnership's events, now at revision %d (ETag "%d")`, e.sent, e.current, e.current)
		field = fmt.Sprintf(`names no current revision; the current ETag is "%d" (a weak tag W/"…" never matches)`, e.current)
	case e.header == "If-None-Match":
		msg = fmt.Sprintf(`If-None-Match: %s does not hold: the partnership is now at revision %d (ETag "%d"): nothing was recorded`, e.sent, e.current, e.current)
		field = fmt.Sprintf(`matches the current ETag "%d" ("*" matches once anything is recorded)`, e.current)
	case e.exists:
		msg = fmt.Sprintf(`If-Match: %s does not match the partnership, which is now at revision %d (ETag "%d"): nothing was recorded; read it again and retry`, e.sent, e.current, e.current)
		field = fmt.Sprintf(`names no current revision; the current ETag is "%d" (a weak tag W/"…" never matches)`, e.current)
	default:
		msg = fmt.Sprintf("If-Match: %s cannot match: nothing is recorded for this partnership yet, so nothing was recorded", e.sent)
		field = "nothing is recorded for this partnership yet: send no If-Match to record its first event"
	}
	header := e.header
	if header == "" {
		header = "If-Match"
	}
	return &fault.Error{Kind: fault.PreconditionFailed, Message: msg, Fields: []fault.Field{{Header: header, Message: field}}}
}

// methodNotAllowed is a request for a route that exists with a method it does not take (RFC 9110
// §15.5.6): 405, with the methods it takes in the Allow header (writeError).
type methodNotAllowed struct {
	method string
	allow  []string // e.g. GET, HEAD
}

func (e *methodNotAllowed) Error() string { return e.Fault().Message }

// Fault is the problem for people (fault.MethodNotAllowed).
func (e *methodNotAllowed) Fault() *fault.Error {
	return fault.Errorf(fault.MethodNotAllowed, "this route does not take %s; it takes %s", e.method, strings.Join(e.allow, ", "))
}

// notFound is a fault.NotFound whose message says what was not found.
func notFound(format string, args ...any) error { return fault.Errorf(fault.NotFound, format, args...) }

// asParam is err, when it carries a message for people, as a bad value of the query parameter name
// (a tree size out of range); other errors are returned as they are.
func asParam(name string, err error) error {
	if msg := fault.Message(err); msg != "" {
		return fault.BadParam(name, "%s", msg)
	}
	return err
}

// badHeader is a header of kind k (fault.Malformed, fault.Unprocessable, fault.UnsupportedMedia).
func badHeader(name, format string, args ...any) error {
	return headerFault(fault.Malformed, name, fmt.Sprintf(format, args...))
}

func headerFault(k fault.Kind, name, msg string) error {
	return &fault.Error{Kind: k, Message: msg, Fields: []fault.Field{{Header: name, Message: msg}}}
}

// problems gives each kind of error its HTTP status and problem title (RFC 9457 §3.1.2–4).
var problems = map[fault.Kind]struct {
	status int
	title  string
}{
	fault.Malformed:          {400, "The request cannot be read"},
	fault.Unauthorized:       {401, "Authentication required"},
	fault.Forbidden:          {403, "Forbidden"},
	fault.NotFound:           {404, "Not found"},
	fault.MethodNotAllowed:   {405, "Method not allowed"},
	fault.Conflict:           {409, "The partnership has changed"},
	fault.PreconditionFailed: {412, "Precondition failed"},
	fault.TooLarge:           {413, "Request body too large"},
	fault.UnsupportedMedia:   {415, "Unsupported media type"},
	fault.Rule:               {422, "The command breaks a rule of the partnership"},
	fault.Unprocessable:      {422, "The request breaks a rule"},
	fault.TooManyRequests:    {429, "Too many requests"},
	fault.Internal:           {500, "Internal error"},
	fault.NotImplemented:     {501, "Not available on this store"},
	fault.Busy:               {503, "The partnership is busy; nothing was recorded"},
	fault.NotReady:           {503, "Not caught up yet"},
}

// problemFor maps an error to the problem a client sees: the one place errors become HTTP. The
// problem's type, status and title follow the error's fault.Kind, its detail is the error's message
// for people (fault.Message) and its errors[] are the fields at fault, each by JSON pointer,
// parameter or header. An error without a message for people is a 500 whose cause is logged only.
func problemFor(err error) Problem {
	f := fault.Of(err)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		f = fault.Errorf(fault.TooLarge, "the body is over the limit of %d bytes", mbe.Limit)
	case f == nil && errors.Is(err, context.DeadlineExceeded):
		f = errNotReady
	}
	if f == nil || f.Kind == fault.Internal || problems[f.Kind].status == 0 {
		return Problem{Type: fault.Internal.Type(), Title: problems[fault.Internal].title, Status: 500,
			Detail: "the server could not answer; the cause is in its log"}
	}
	p := Problem{Type: f.Kind.Type(), Title: problems[f.Kind].title, Status: problems[f.Kind].status, Detail: shortened(f.Message)}
	for i, fl := range f.Fields {
		if i == maxListed {
			p.Detail += fmt.Sprintf(" (errors[] lists the first %d of %d problems; %d more not listed)", maxListed, len(f.Fields), len(f.Fields)-maxListed)
			break
		}
		p.Errors = append(p.Errors, ProblemField{Pointer: shortened(fl.Pointer), Parameter: shortened(fl.Parameter), Header: fl.Header,
			Detail: shortened(fl.Message), Event: fl.Event})
	}
	var pf *preconditionFailed
	var ce *eventstore.ConflictError
	switch {
	case errors.As(err, &pf):
		if pf.exists {
			cur := pf.current
			p.CurrentRevision = &cur
		}
	case errors.As(err, &ce):
		if exp, ok := ce.Expected.Revision(); ok {
			p.ExpectedRevision = &exp
		}
		if ce.ActualExists {
			cur := ce.Actual
			p.CurrentRevision = &cur
		}
	}
	return p
}

// maxListed is how many fields at fault a problem's errors[] lists at most; the detail counts the
// rest (docs/errors.md), so that a small request never gets a large answer (3,000 unknown query
// parameters were 3,000 entries, 319 KB).
const maxListed = 20

// shortened is s, a problem's text, with every run of more than maxEchoed characters that are not
// white space (a member or parameter name, a value, a pointer as the client sent it) cut to its first
// maxEchoed characters and "…", keeping the punctuation that ends the run (a closing quote, a colon):
// a 100 KB member name is quoted back as 80 characters each time it is named. Text of the server's
// own is never that long in one word.
func shortened(s string) string {
	if len(s) <= maxEchoed {
		return s
	}
	var b strings.Builder
	run, cut, tail := 0, false, ""
	end := func() {
		if cut {
			b.WriteString(tail)
		}
		run, cut, tail = 0, false, ""
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			end()
			b.WriteRune(r)
			continue
		}
		run++
		switch {
		case run <= maxEchoed:
			b.WriteRune(r)
		case !cut:
			b.WriteString("…")
			cut = true
		}
		if run > maxEchoed {
			if strings.ContainsRune(`"'):;,.]}`, r) && len(tail) < 4 {
				tail += string(r)
			} else {
				tail = ""
			}
		}
	}
	end()
	return b.String()
}

// writeError answers err as problem+json, logging the cause of a 500. A client that went away
// (clientGone) is logged at debug level only. Once the response has started (a write of the body
// failed, or a handler failed midway) nothing more is written: a second status line cannot be sent,
// and a problem appended to a partial body would corrupt it; a failure that is not the client's
// going is logged as an error.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.Instance = instance(r)
	started := responseStarted(w)
	switch {
	case clientGone(r, err):
		s.log.DebugContext(r.Context(), "client went away", slog.String("path", r.URL.Path), slog.Any("err", err))
	case started:
		s.log.ErrorContext(r.Context(), "request failed after its answer began", slog.String("path", r.URL.Path), slog.Any("err", err))
	case p.Status >= 500 && p.Status != 503 && p.Status != 501:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if started {
		return
	}
	if p.Status == 503 {
		w.Header().Set("Retry-After", "1")
	}
	if d, ok := isTooMany(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(d)))
	}
	if p.Status == 401 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ledger"`)
	}
	if p.Status == 412 && p.CurrentRevision != nil {
		w.Header().Set("ETag", revisionETag(*p.CurrentRevision))
	}
	if mna := new(methodNotAllowed); errors.As(err, &mna) {
		w.Header().Set("Allow", strings.Join(mna.allow, ", "))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}

// instance is the problem's "instance" (RFC 9457 §3.1.5): the request's path as sent on the wire
// (percent-encoded) when it is short and made only of URL path characters that need no escaping in
// any context, otherwise the route pattern it matched (e.g. "/v1/partnerships/{id}"). Never the raw
// path, which could carry markup or control characters back to whoever reads the problem.
func instance(r *http.Request) string {
	p := r.URL.EscapedPath()
	if len(p) <= 256 && strings.HasPrefix(p, "/") && strings.Trim(p, instanceChars) == "" {
		return p
	}
	_, pattern, _ := strings.Cut(r.Pattern, " ")
	if pattern == "" {
		pattern = r.Pattern
	}
	if pattern == "" || strings.HasSuffix(pattern, "/") {
		return "/"
	}
	return pattern
}

// instanceChars are the characters a problem's instance may echo from the path.
const instanceChars = "/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%"

// parseUint reads an optional unsigned query parameter.
func parseUint(r *http.Request, name string) (uint64, bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, fault.BadParam(name, "%s=%q is not a whole number", name, v)
	}
	return n, true, nil
}
