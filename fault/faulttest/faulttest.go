// Package faulttest checks, in tests, that a message is fit for the people who read it.
//
// Import rules: test code only; it imports fault's layer (the standard library) and testing.
package faulttest

import (
	"regexp"
	"testing"
)

// internals are what a message for people must never show: the "pkg: " prefixes of Go sentinel
// errors (not a file name such as "proof.json: "), Go type names (qualified, pointer or builtin), encoding/json's and Go's own wording.
var internals = regexp.MustCompile(`(?:^|[^\w./-])(projections|eventstore|domain|recording|audit|reviewpack|api|web|fault|bolt|kurrentdb|json|strconv|time): |` +
	`\*?\b[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*\b|\b(u?int(8|16|32|64)?|float(32|64))\b|map\[|\[\][a-z]|` +
	`%!|\(MISSING\)|<nil>|\bpanic\b|goroutine `)

// AssertForPeople fails t when msg is empty or shows what belongs in a log: a package prefix such as
// "projections: ", a Go type name such as "domain.Date" or "int64", or fmt's error verbs.
func AssertForPeople(t testing.TB, msg string) bool {
	t.Helper()
	if msg == "" {
		t.Errorf("an empty message for people")
		return false
	}
	if m := internals.FindString(msg); m != "" {
		t.Errorf("message for people shows %q (Go internals): %s", m, msg)
		return false
	}
	return true
}
