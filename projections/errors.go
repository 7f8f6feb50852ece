package projections

import (
	"fmt"

	"github.com/partnership-ledger/ledger/fault"
)

// BadAsOf is the error for an as_of that is not a date: a *fault.Error (fault.Malformed, at the
// parameter as_of) matching ErrBadAsOf, whose message names the value and the form wanted.
func BadAsOf(asOf string, why error) error {
	return (&fault.Error{Kind: fault.Malformed, Message: "as_of " + why.Error(), Err: ErrBadAsOf}).Param("as_of", why.Error())
}

// badKnownAt is the error ParseKnownAt returns: fault.Malformed at the parameter known_at,
// matching ErrBadKnownAt.
func badKnownAt(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return (&fault.Error{Kind: fault.Malformed, Message: "known_at " + msg, Err: ErrBadKnownAt}).Param("known_at", msg)
}

// UnknownPartnership is the error for a slug with nothing recorded (at all, or by the known_at
// asked for when why is not ""): a *fault.Error (fault.NotFound) matching ErrUnknownPartnership.
func UnknownPartnership(slug, why string) error {
	msg := fmt.Sprintf("no partnership %q is recorded", slug)
	if why != "" {
		msg = fmt.Sprintf("partnership %q: %s", slug, why)
	}
	return &fault.Error{Kind: fault.NotFound, Message: msg, Err: ErrUnknownPartnership}
}
