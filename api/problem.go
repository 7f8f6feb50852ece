package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
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
	ExpectedRevision *string `json:"expected_revision,omitempty"`
	CurrentRevision  *uint64 `json:"current_revision,omitempty"`
}

// ProblemField names one offending field (a JSON pointer into the body) or query parameter.
type ProblemField struct {
	Pointer   string `json:"pointer,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Header    string `json:"header,omitempty"`
	Detail    string `json:"detail"`
	Event     string `json:"event,omitempty"` // the recorded event a command would break
}

// Errors the handlers return for the mapping below to answer.
var (
	errNotFound     = errors.New("not found")
	errUnauthorized = errors.New("a valid bearer token is required (Authorization: Bearer <token>)")
	errForbidden    = errors.New("your token's role may not do this")
	errNotReady     = errors.New("the read models have not caught up yet")
)

// badRequest is a request that cannot be read: a malformed parameter, header or body.
type badRequest struct {
	field ProblemField
}

func (e *badRequest) Error() string { return e.field.Detail }

func badParam(name, format string, args ...any) error {
	return &badRequest{ProblemField{Parameter: name, Detail: fmt.Sprintf(format, args...)}}
}

func badHeader(name, format string, args ...any) error {
	return &badRequest{ProblemField{Header: name, Detail: fmt.Sprintf(format, args...)}}
}

func badBody(pointer, format string, args ...any) error {
	return &badRequest{ProblemField{Pointer: pointer, Detail: fmt.Sprintf(format, args...)}}
}

// unprocessable is a well-formed request that breaks a rule other than a domain one (e.g. an
// Idempotency-Key reused with another body).
type unprocessable struct{ field ProblemField }

func (e *unprocessable) Error() string { return e.field.Detail }

// unsupportedMedia is a body sent with a media type other than the one the route reads.
type unsupportedMedia struct{ field ProblemField }

func (e *unsupportedMedia) Error() string { return e.field.Detail }

// problemFor maps an error to the problem a client sees. It is the one place errors become HTTP.
func problemFor(err error) Problem {
	var (
		br  *badRequest
		un  *unprocessable
		um  *unsupportedMedia
		ve  *domain.ValidationError
		ce  *eventstore.ConflictError
		de  *eventstore.DuplicateIDError
		ie  *eventstore.InvalidEventError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &br):
		return Problem{Type: "/problems/bad-request", Title: "The request cannot be read", Status: 400,
			Detail: br.field.Detail, Errors: []ProblemField{br.field}}
	case errors.As(err, &um):
		return Problem{Type: "/problems/unsupported-media-type", Title: "Unsupported media type", Status: 415,
			Detail: um.field.Detail, Errors: []ProblemField{um.field}}
	case errors.As(err, &un):
		return Problem{Type: "/problems/unprocessable", Title: "The request breaks a rule", Status: 422,
			Detail: un.field.Detail, Errors: []ProblemField{un.field}}
	case errors.As(err, &ve):
		p := Problem{Type: "/problems/domain-rule", Title: "The command breaks a rule of the partnership", Status: 422, Detail: ve.Error()}
		if ve.Malformed() {
			p.Type, p.Title, p.Status = "/problems/bad-request", "The request cannot be read", 400
		}
		for _, pr := range ve.Problems {
			f := ProblemField{Pointer: pr.Field, Detail: pr.Message}
			if m := unknownField.FindStringSubmatch(pr.Message); f.Pointer == "" && m != nil {
				f.Pointer = "/" + m[1]
			}
			if pr.EventType != "" {
				f.Event = pr.EventType + " " + pr.Event.String()
			}
			p.Errors = append(p.Errors, f)
		}
		return p
	case errors.As(err, &ce):
		p := Problem{Type: "/problems/conflict", Title: "The partnership has changed", Status: 409, Detail: ce.Error()}
		exp := ce.Expected.String()
		p.ExpectedRevision = &exp
		if ce.ActualExists {
			cur := ce.Actual
			p.CurrentRevision = &cur
		}
		return p
	case errors.As(err, &de):
		return Problem{Type: "/problems/unprocessable", Title: "The event id is taken", Status: 422, Detail: de.Error()}
	case errors.As(err, &ie):
		return Problem{Type: "/problems/bad-request", Title: "The event is invalid", Status: 400, Detail: ie.Error(),
			Errors: []ProblemField{{Pointer: "/" + ie.Field, Detail: ie.Reason}}}
	case errors.As(err, &mbe):
		return Problem{Type: "/problems/too-large", Title: "Request body too large", Status: 413,
			Detail: fmt.Sprintf("the body is over the limit of %d bytes", mbe.Limit)}
	case errors.Is(err, projections.ErrUnknownPartnership), errors.Is(err, errNotFound),
		errors.Is(err, eventstore.ErrNotFound), errors.Is(err, audit.ErrOutOfRange):
		return Problem{Type: "/problems/not-found", Title: "Not found", Status: 404, Detail: trimPrefix(err)}
	case errors.Is(err, errUnauthorized):
		return Problem{Type: "/problems/unauthorized", Title: "Authentication required", Status: 401, Detail: err.Error()}
	case errors.Is(err, errForbidden):
		return Problem{Type: "/problems/forbidden", Title: "Forbidden", Status: 403, Detail: err.Error()}
	case errors.Is(err, recording.ErrUnavailable), errors.Is(err, eventstore.ErrContended):
		// Withdrawn before it was appended, or given up after losing every round to other
		// writers of the stream (KurrentDB): nothing was appended, so a retry cannot record it twice.
		return Problem{Type: "/problems/busy", Title: "The partnership is busy; nothing was recorded", Status: 503,
			Detail: err.Error()}
	case errors.As(err, new(*tooManyRequests)):
		return Problem{Type: "/problems/too-many-requests", Title: "Too many requests", Status: 429, Detail: err.Error()}
	case errors.Is(err, errNotReady), errors.Is(err, context.DeadlineExceeded):
		return Problem{Type: "/problems/not-ready", Title: "Not caught up yet", Status: 503, Detail: err.Error()}
	case errors.Is(err, errNotImplemented):
		return Problem{Type: "/problems/not-implemented", Title: "Not available on this store", Status: 501, Detail: err.Error()}
	}
	return Problem{Type: "/problems/internal", Title: "Internal error", Status: 500,
		Detail: "the server could not answer; the cause is in its log"}
}

// unknownField finds the name in encoding/json's "unknown field" message, to point at it.
var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

var errNotImplemented = errors.New("this store cannot do that")

func trimPrefix(err error) string {
	s := err.Error()
	for _, p := range []string{"projections: ", "eventstore: ", "audit: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
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
		return 0, false, badParam(name, "%s=%q is not a whole number", name, v)
	}
	return n, true, nil
}
