package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flagsOf returns the flag names a command's help lists ("  --name ...").
func flagsOf(help string) []string {
	var out []string
	for _, line := range strings.Split(help, "\n") {
		if rest, ok := strings.CutPrefix(line, "  --"); ok {
			name, _, _ := strings.Cut(rest, " ")
			out = append(out, name)
		}
	}
	return out
}

// synopsisFlag finds the flags a command's synopsis names.
var synopsisFlag = regexp.MustCompile(`--([a-z][a-z-]*)`)

// 'ledger help CMD' shows what 'ledger CMD --help' shows, for every command: the usage line, the
// command's flags and at least one example, with exit 0; it opens nothing and writes nothing (issue 20:
// 'help record' printed only the usage line).
func TestHelpShowsEveryCommandsFlagsAndExamples(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			h := ledger(t, nil, "help", c.name)
			require.Equal(t, 0, h.code, h.stderr)
			assert.Empty(t, h.stderr)
			assert.True(t, strings.HasPrefix(h.stdout, "usage: ledger "+c.name), h.stdout)
			assert.Contains(t, h.stdout, c.summary)
			assert.Contains(t, h.stdout, "\nexamples:\n  ledger "+c.name, "an example for %s", c.name)
			assert.NotEmpty(t, examples[c.name])
			assert.True(t, strings.Contains(h.stdout, "\nflags (and the global flags") || strings.Contains(h.stdout, "\nflags: none"), h.stdout)
			listed := flagsOf(h.stdout)
			for _, m := range synopsisFlag.FindAllStringSubmatch(c.args, -1) {
				assert.Contains(t, listed, m[1], "the synopsis names --%s; help lists it", m[1])
			}
			if c.name != "token" { // 'token --help' shows issue's flags too
				d := ledger(t, nil, c.name, "--help")
				assert.Equal(t, 0, d.code)
				assert.Equal(t, h.stdout, d.stdout, "'ledger %s --help' and 'ledger help %s' agree", c.name, c.name)
			}
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "help opens no store and makes no key")

	rec := ledger(t, nil, "help", "record")
	for _, f := range []string{"--partnership", "--type", "--effective", "--data", "--source", "--certainty"} {
		assert.Contains(t, rec.stdout, "  "+f+" ", "help record lists %s", f)
	}
	tok := ledger(t, nil, "token", "--help")
	assert.Equal(t, 0, tok.code)
	assert.Contains(t, tok.stdout, "--role")
	assert.NotRegexp(t, `(?m)^  -[a-z]`, rec.stdout, "every flag is written with two dashes, as the README writes them")
	// A one-letter flag keeps the one dash the usage line and the README give it, with its argument named.
	pk := ledger(t, nil, "help", "pack")
	assert.Contains(t, pk.stdout, "\n  -o DIR\n")
	assert.NotContains(t, pk.stdout, "--o ")
	th := ledger(t, nil, "help", "tree-head")
	assert.Contains(t, th.stdout, "\n  -o FILE\n")

	// 'ledger help help' and 'ledger help token issue' show help (they exited 2).
	hh := ledger(t, nil, "help", "help")
	assert.Equal(t, 0, hh.code, hh.stderr)
	assert.Contains(t, hh.stdout, "usage: ledger help [COMMAND [SUBCOMMAND]]")
	for _, sub := range []string{"issue", "revoke"} {
		ts := ledger(t, nil, "help", "token", sub)
		assert.Equal(t, 0, ts.code, ts.stderr)
		assert.Contains(t, ts.stdout, "usage: ledger token")
	}
	bad := ledger(t, nil, "help", "token", "nosuch")
	assert.Equal(t, 2, bad.code)
}

// Help about a command that does not exist, or a command that does not exist, is bad input: one line,
// exit 2 (issue 20: 'ledger help nosuch' exited 0).
// Help says what the code does (a newcomer's findings): check-proof's --key takes a vkey too; key's
// usage names --json; --server-pack-renders has one default, not "(default: half the cores ...) ...
// (default 1)"; migrate's --to may be a target to complete, as the summary says; the --server example
// of check-consistency carries the auditor token it needs; witness --state should be absolute.
func TestHelpAgreesWithTheCode(t *testing.T) {
	help := func(cmd string) string {
		h := ledger(t, nil, "help", cmd)
		require.Equal(t, 0, h.code, h.stderr)
		return h.stdout
	}
	assert.Contains(t, help("check-proof"), "public key or note verifier key (vkey)")
	assert.True(t, strings.HasPrefix(help("key"), "usage: ledger key [--json]"), help("key"))
	for _, cmd := range []string{"serve", "demo"} {
		h := help(cmd)
		_, flagText, ok := strings.Cut(h, "\n  --server-pack-renders")
		require.True(t, ok, h)
		flagText, _, _ = strings.Cut(flagText, "\n  -")
		assert.Equal(t, 1, strings.Count(flagText, "(default"), "one default for --server-pack-renders in help %s: %s", cmd, flagText)
	}
	// A relative --state is accepted: the docs say it should be absolute, not that it is.
	assert.Contains(t, help("witness"), "it should be a fixed absolute path (a relative one is taken from the directory the witness starts in)")
	mig := help("migrate")
	assert.NotContains(t, mig, "must be empty")
	assert.Contains(t, mig, "which it completes")
	for line := range strings.SplitSeq(help("check-consistency"), "\n") {
		if strings.Contains(line, "ledger check-consistency") && strings.Contains(line, "--server") {
			assert.Contains(t, line, "--token-file auditor.token", "an example with --server needs the auditor token")
		}
	}
}

func TestHelpOfAnUnknownCommandExitsTwo(t *testing.T) {
	for _, args := range [][]string{{"help", "nosuch"}, {"nosuch"}, {"--help", "nosuch"}, {"help", "record", "extra"}} {
		r := ledger(t, nil, args...)
		assert.Equal(t, 2, r.code, "%v", args)
		assert.Empty(t, r.stdout, "%v", args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line for %v: %q", args, r.stderr)
	}
	r := ledger(t, nil, "help", "nosuch")
	assert.Contains(t, r.stderr, `unknown command "nosuch"`)
	assert.Contains(t, r.stderr, "ledger --help")
	all := ledger(t, nil, "help")
	assert.Equal(t, 0, all.code)
	assert.Contains(t, all.stdout, "commands:")
}

// TestPartnershipFlagIsReadOneWay: every command taking --partnership refuses a missing or malformed
// one the same way, naming the flag, before it opens anything (state and pack used to answer "no
// partnership "No Pe" is recorded" where history and replay said it was not a slug).
func TestPartnershipFlagIsReadOneWay(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, cmd := range [][]string{{"history"}, {"replay"}, {"state"}, {"pack", "--as-of", "2016-06-30", "-o", "p"}} {
		bad := ledger(t, nil, append(slices.Clone(cmd), "--partnership", "No Pe")...)
		assert.Equal(t, 2, bad.code, "%v: %s", cmd, bad.stderr)
		assert.Contains(t, bad.stderr, "ledger: "+cmd[0]+": --partnership: ")
		missing := ledger(t, nil, cmd...)
		assert.Equal(t, 2, missing.code)
		assert.Contains(t, missing.stderr, cmd[0]+": --partnership is required")
	}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing opened or created")
}
