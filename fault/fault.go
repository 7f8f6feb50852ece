// Package fault is the ledger's error for people: what went wrong (a Kind), a message a person can
// act on, and the fields at fault, apart from Error(), which is for logs.
//
// Every layer builds its errors for users with it or gives its own error types a Fault method, so
// the HTTP API (problem+json, RFC 9457), the pages and the command line each map errors once, by
// Kind and by field pointer, never by matching message text. The HTTP client of the API decodes a
// problem back into an *Error.
//
// Import rules: fault is the lowest layer; it imports only the standard library, and every package
// of the ledger may import it.
package fault

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Kind says what went wrong, as a problem type of the HTTP API: the API answers an error of kind K
// with the problem type "/problems/K" (see Kind.Type), and the API's client reads the kind back
// from that type.
type Kind string

// The kinds. Each is the last segment of its problem type.
const (
	// Malformed: the input cannot be read (syntax, types, unknown fields, malformed values). HTTP 400.
	Malformed Kind = "bad-request"
	// Rule: a well-formed command breaks a rule of the partnership. HTTP 422.
	Rule Kind = "domain-rule"
	// Unprocessable: a well-formed request breaks a rule other than a domain one (an event id taken
	// by another event, an Idempotency-Key reused with another body). HTTP 422.
	Unprocessable Kind = "unprocessable"
	// UnsupportedMedia: a body of a media type the route does not read. HTTP 415.
	UnsupportedMedia Kind = "unsupported-media-type"
	// TooLarge: a body over its limit. HTTP 413.
	TooLarge Kind = "too-large"
	// NotFound: no such partnership, event or tree size. HTTP 404.
	NotFound Kind = "not-found"
	// Conflict: the partnership changed since the revision the caller expected, found while
	// recording (a store's expected-revision check, a witness's older size). HTTP 409.
	Conflict Kind = "conflict"
	// PreconditionFailed: a request's precondition (If-Match, RFC 9110 §13.1.1) does not hold for
	// the current state, so nothing was done; the answer carries the current ETag. HTTP 412.
	PreconditionFailed Kind = "precondition-failed"
	// MethodNotAllowed: the route exists but does not take this method (RFC 9110 §15.5.6); the
	// answer's Allow header lists the methods it takes. HTTP 405.
	MethodNotAllowed Kind = "method-not-allowed"
	// Unauthorized: no valid credentials. HTTP 401.
	Unauthorized Kind = "unauthorized"
	// Forbidden: the credentials' role may not do this. HTTP 403.
	Forbidden Kind = "forbidden"
	// Busy: nothing was done and a retry is safe. HTTP 503.
	Busy Kind = "busy"
	// TooManyRequests: over a rate or concurrency limit. HTTP 429.
	TooManyRequests Kind = "too-many-requests"
	// NotReady: the read models have not caught up yet. HTTP 503.
	NotReady Kind = "not-ready"
	// NotImplemented: the store cannot do that. HTTP 501.
	NotImplemented Kind = "not-implemented"
	// Internal: anything else; its cause is for the operator's log, not for the user. HTTP 500.
	Internal Kind = "internal"
)

// Type is the kind's problem type, e.g. "/problems/bad-request".
func (k Kind) Type() string { return "/problems/" + string(k) }

// Kinds lists every kind, in the order docs/errors.md lists them.
func Kinds() []Kind {
	return []Kind{Malformed, Rule, Unprocessable, UnsupportedMedia, TooLarge, NotFound, MethodNotAllowed,
		Conflict, PreconditionFailed, Unauthorized, Forbidden, Busy, TooManyRequests, NotReady, NotImplemented, Internal}
}

// KindOfType reads a problem type back into its Kind; an unknown type is Internal.
func KindOfType(typ string) Kind {
	k := Kind(strings.TrimPrefix(typ, "/problems/"))
	if slices.Contains(Kinds(), k) {
		return k
	}
	return Internal
}

// Field is one thing at fault and what is wrong with it. At most one of Pointer, Parameter and
// Header is set: Pointer is an RFC 6901 JSON pointer into the request body ("/data/amount_pence",
// "" with the others empty for the whole body); Parameter names a query parameter, as in the HTTP
// API ("as_of", "known_at"; the command line's flag is the same name with dashes, --known-at);
// Header names an HTTP header.
type Field struct {
	Pointer   string
	Parameter string
	Header    string
	// Message says what is wrong with the field, for people.
	Message string
	// Event names a recorded event the command would break ("<type> <id>"), when there is one.
	Event string
}

// Error is an error for people. Message is what a user is shown; Fields are the fields at fault, in
// order; Err is the cause, kept for errors.Is/As and the log (its text is never shown to users).
type Error struct {
	Kind    Kind
	Message string
	Fields  []Field
	Err     error
}

// Error reads "<message>" or, with a cause, "<message>: <cause>", for logs.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf is an *Error of kind k whose message is formatted as with fmt.Sprintf. The arguments are
// not wrapped (use Wrap to keep a cause).
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap is an *Error of kind k with the message msg and the cause err.
func Wrap(k Kind, err error, msg string) *Error {
	return &Error{Kind: k, Message: msg, Err: err}
}

// BadValue is a fault.Malformed error about one value of a JSON document, at its pointer (RFC 6901);
// the message, formatted as with fmt.Sprintf, is both the error's and the field's.
func BadValue(pointer, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return (&Error{Kind: Malformed, Message: msg}).At(pointer, msg)
}

// BadParam is a fault.Malformed error about the query parameter name; the message, formatted as with
// fmt.Sprintf, is both the error's and the field's.
func BadParam(name, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return (&Error{Kind: Malformed, Message: msg}).Param(name, msg)
}

// At returns e with a field at fault added: the JSON pointer of the value, and the message.
func (e *Error) At(pointer, msg string) *Error {
	e.Fields = append(e.Fields, Field{Pointer: pointer, Message: msg})
	return e
}

// Param returns e with a query parameter at fault added.
func (e *Error) Param(name, msg string) *Error {
	e.Fields = append(e.Fields, Field{Parameter: name, Message: msg})
	return e
}

// Faulter is implemented by errors that describe themselves for people: *Error, and error types
// of the ledger that keep their own fields (a domain validation error, a store's conflict). Fault
// returns the description; it is never nil.
type Faulter interface {
	error
	Fault() *Error
}

// Fault returns e itself.
func (e *Error) Fault() *Error { return e }

// Of returns the error for people that err is or wraps: the first Faulter along err's chain
// (errors.As), described; nil when there is none.
func Of(err error) *Error {
	var f Faulter
	if errors.As(err, &f) {
		return f.Fault()
	}
	return nil
}

// KindOf is the kind of err: "" for nil, Internal for an error that carries no Kind.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	if f := Of(err); f != nil && f.Kind != "" {
		return f.Kind
	}
	return Internal
}

// Message is the message for people that err carries, or "" when it carries none (an internal
// error, whose text is for the log).
func Message(err error) string {
	if f := Of(err); f != nil {
		return f.Message
	}
	return ""
}

// Pointer is the JSON pointer of the first field at fault that has one ("" when none does).
func Pointer(err error) string {
	if f := Of(err); f != nil {
		for _, fl := range f.Fields {
			if fl.Pointer != "" {
				return fl.Pointer
			}
		}
	}
	return ""
}
