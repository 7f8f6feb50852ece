package domain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrValidation: a command breaks a rule; the error is a *ValidationError with every problem.
	ErrValidation = errors.New("domain: validation failed")
	// ErrUnknownEventType: an event type this build does not know (DecodePayload).
	ErrUnknownEventType = errors.New("domain: unknown event type")
	// ErrMalformed: a payload or value that cannot be read: not JSON, wrong types, unknown fields,
	// malformed dates or numbers. The API answers these with 400 rather than 422.
	ErrMalformed = errors.New("domain: malformed input")
)

// Problem is one broken rule: the field it concerns, as a JSON pointer into the command
// ("/data/shares", "/effective_on"), and a message a person can act on. When the problem is that
// the command would break another, already recorded event, Event and EventType name that event.
type Problem struct {
	Field     string    `json:"field"`
	Message   string    `json:"message"`
	Event     uuid.UUID `json:"event,omitzero"`
	EventType string    `json:"event_type,omitempty"`
	// Malformed is true when the input could not be read (syntax, types, unknown fields) rather
	// than breaking a rule.
	Malformed bool `json:"malformed,omitempty"`
}

// String renders the problem as "field: message", naming the conflicting event when there is one.
func (p Problem) String() string {
	if p.Event != uuid.Nil {
		return fmt.Sprintf("%s: %s (conflicts with %s %s)", p.Field, p.Message, p.EventType, p.Event)
	}
	if p.Field == "" {
		return p.Message
	}
	return fmt.Sprintf("%s: %s", p.Field, p.Message)
}

// ValidationError lists every rule a command breaks. It matches ErrValidation, and ErrMalformed
// when any problem is Malformed.
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems on one line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "invalid command: " + strings.Join(parts, "; ")
}

// Malformed reports whether any problem is a malformed input rather than a broken rule.
func (e *ValidationError) Malformed() bool {
	for _, p := range e.Problems {
		if p.Malformed {
			return true
		}
	}
	return false
}

// Is makes a *ValidationError match ErrValidation, and ErrMalformed when Malformed.
func (e *ValidationError) Is(target error) bool {
	return target == ErrValidation || (target == ErrMalformed && e.Malformed())
}

// DecodeError reports a payload that cannot be decoded. It matches ErrMalformed, or
// ErrUnknownEventType for a type or schema this build does not know.
type DecodeError struct {
	Type    string
	Schema  int
	Err     error
	unknown bool
}

// Error names the type, the schema version and the cause.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode %s (schema %d): %v", e.Type, e.Schema, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrUnknownEventType or ErrMalformed.
func (e *DecodeError) Is(target error) bool {
	if e.unknown {
		return target == ErrUnknownEventType
	}
	return target == ErrMalformed
}

// problems collects Problems in order.
type problems struct{ list []Problem }

func (p *problems) add(field, msg string) {
	p.list = append(p.list, Problem{Field: field, Message: msg})
}

func (p *problems) addf(field, format string, args ...any) {
	p.add(field, fmt.Sprintf(format, args...))
}

func (p *problems) malformed(field, msg string) {
	p.list = append(p.list, Problem{Field: field, Message: msg, Malformed: true})
}

func (p *problems) empty() bool { return len(p.list) == 0 }

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: append([]Problem(nil), p.list...)}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// gateProblem adds a malformed problem for an error of eventstore.Gate on a document found at the
// JSON pointer at ("" for a whole body): the problem's field is the pointer of the value at fault.
func gateProblem(p *problems, at string, err error) {
	var je *eventstore.JSONError
	if errorsAs(err, &je) {
		p.malformed(at+je.Pointer, je.Reason)
		return
	}
	p.malformed(at, err.Error())
}

// Fault describes the problems for people: fault.Malformed when any input could not be read,
// otherwise fault.Rule; one field per problem, at its JSON pointer, naming the recorded event it
// conflicts with when there is one.
func (e *ValidationError) Fault() *fault.Error {
	f := &fault.Error{Kind: fault.Rule}
	if e.Malformed() {
		f.Kind = fault.Malformed
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
		fl := fault.Field{Pointer: p.Field, Message: p.Message}
		if p.EventType != "" {
			fl.Event = p.EventType + " " + p.Event.String()
		}
		f.Fields = append(f.Fields, fl)
	}
	f.Message = strings.Join(parts, "; ")
	return f
}

// Fault describes the undecodable payload for people (fault.Malformed, at /data).
func (e *DecodeError) Fault() *fault.Error {
	msg := fmt.Sprintf("the data of a %s event cannot be read: %v", e.Type, e.Err)
	if e.unknown {
		msg = e.Err.Error()
	}
	return (&fault.Error{Kind: fault.Malformed, Message: msg}).At("/data", e.Err.Error())
}
