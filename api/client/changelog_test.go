package client_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/changelog.md records the changes of issue 22 a client can notice: each phrase below names one
// (a status, a header, a member, a method of this package), so a change landed without its line is
// caught here as well as in review.
func TestChangelogNamesEachChange(t *testing.T) {
	b, err := os.ReadFile("../../docs/changelog.md")
	require.NoError(t, err)
	text := string(b)
	require.Contains(t, text, "## Unreleased — API contract (issue 22)")
	for _, phrase := range []string{
		// The Go client.
		"Client.Record", "IfMatch", "IdempotencyKey", "Client.Event", "Timeline", "IsPreconditionFailed",
		"Problem.Allow",
		"WholeBody",
		// The document.
		"expected_revision", "operationId",
		"SavingsReportedV1", "oneOf", "docs/events.md",
		// The server (points 3 and 4).
		"412", "ETag", `W/"12"`, "`*`", "405", "Allow", "not a parameter of this route", "403", "the body is empty",
	} {
		assert.True(t, strings.Contains(text, phrase), "docs/changelog.md names %q", phrase)
	}
}
