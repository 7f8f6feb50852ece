package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is what one in-process run of the ledger program printed and returned.
type result struct {
	stdout, stderr string
	code           int
	err            error
}

// ledger runs the real program in-process with the given arguments and environment overrides
// (KEY=VALUE) and returns what a person at a terminal would see.
func ledger(t testing.TB, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errOut)
	code := exitCode(err)
	if err != nil && code != 0 && !isSilent(err) {
		errOut.WriteString(errorLine(err) + "\n")
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code, err: err}
}

// tempStore returns a --store value naming a fresh bolt file in a temp dir.
func tempStore(t *testing.T) string {
	return "bolt:" + filepath.Join(t.TempDir(), "ledger.db")
}

func TestHelpListsCommands(t *testing.T) {
	r := ledger(t, nil, "--help")
	require.Equal(t, 0, r.code)
	for _, c := range commands() {
		assert.Contains(t, r.stdout, "  "+c.name+" ", "help lists %s", c.name)
	}
	assert.Contains(t, r.stdout, "--store")
}

func TestBadInvocationsExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"global flag without value", []string{"verify", "--store"}, "--store needs a value"},
		{"unknown flag", []string{"verify", "--frob"}, "flag provided but not defined: -frob"},
		{"unknown store kind", []string{"verify", "--store", "mysql://x"}, "unknown kind of store"},
		{"record timeout not positive", []string{"serve", "--record-timeout", "0s"}, "--record-timeout must be a positive duration"},
		{"record timeout not a duration", []string{"serve", "--record-timeout", "5"}, "invalid value \"5\" for flag -record-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ledger(t, nil, tt.args...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Len(t, strings.Split(strings.TrimSpace(r.stderr), "\n"), 1, "one line: %q", r.stderr)
		})
	}
}

func TestNoCommandShowsUsage(t *testing.T) {
	r := ledger(t, nil)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "usage: ledger")
	assert.Contains(t, r.stderr, "no command given")
}

func TestGlobalFlagsBeforeOrAfterCommand(t *testing.T) {
	store := seeded(t)
	before := ledger(t, nil, "--store", store, "verify", "--json")
	after := ledger(t, nil, "verify", "--json", "--store="+store)
	require.Equal(t, 0, before.code, before.stderr)
	require.Equal(t, 0, after.code, after.stderr)
	assert.JSONEq(t, before.stdout, after.stdout)
	assert.Contains(t, before.stdout, `"intact": true`)
}

// TestTerminalSafe: what could end a message line or change how the terminal shows it is escaped;
// other text is unchanged.
func TestTerminalSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, “quotes” and \\": "plain text, “quotes” and \\",
		"a\r\x1b[2Kb\nc\td":           `a\r\x1b[2Kb\nc\td`,
		"bad \xff\xfe utf-8":          `bad \xff\xfe utf-8`,
		"rtl \u202eevil\u2066":        `rtl \u202eevil\u2066`,
		"c1 \u0085 del \x7f":          `c1 \u0085 del \x7f`,
		"\x1b":                        `\x1b`,
		"ok \ufffd":                   "ok \ufffd",
	} {
		assert.Equal(t, want, terminalSafe(in), "%q", in)
	}
	var b bytes.Buffer
	reportf(&b, "%s\t%s\n", "a\tb\n\x1b[2K", named("c\u202e\xff\n"))
	assert.Equal(t, "a\\tb\\n\\x1b[2K\tc\\u202e\\xff\\n\n", b.String(), "a report's layout is its format's; its values are escaped")
}

// named is a text type of its own, as the domain's names are.
type named string
