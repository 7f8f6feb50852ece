package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue #18: --token on the command line shows in ps. --token-file and LEDGER_TOKEN are the quiet
// ways; --token still works, with a warning on stderr.
func TestTokenFromFileOrEnvironmentAndWarningForTheFlag(t *testing.T) {
	store := seeded(t)
	adm := ledger(t, nil, "token", "issue", "--role", "admin", "--actor", "Democratic services", "--store", store)
	require.Equal(t, 0, adm.code, adm.stderr)
	var admin string
	for _, f := range strings.Fields(adm.stdout) {
		if strings.HasPrefix(f, "pl_") {
			admin = f
		}
	}
	require.NotEmpty(t, admin)
	s := startDemo(t, store)
	dir := t.TempDir()
	file := filepath.Join(dir, "admin.token")
	require.NoError(t, os.WriteFile(file, []byte(admin+"\n"), 0o600))

	issue := func(env map[string]string, extra ...string) result {
		args := append([]string{"token", "issue", "--role", "reader", "--actor", "Press office", "--server", s.base}, extra...)
		return ledger(t, env, args...)
	}
	fromFile := issue(nil, "--token-file", file)
	require.Equal(t, 0, fromFile.code, fromFile.stderr)
	assert.Contains(t, fromFile.stdout, "role:     reader")
	assert.NotContains(t, fromFile.stderr, "warning")

	fromEnv := issue(map[string]string{"LEDGER_TOKEN": admin})
	require.Equal(t, 0, fromEnv.code, fromEnv.stderr)
	assert.NotContains(t, fromEnv.stderr, "warning")

	fileOverEnv := issue(map[string]string{"LEDGER_TOKEN": "pl_not-a-token"}, "--token-file", file)
	assert.Equal(t, 0, fileOverEnv.code, "--token-file overrides LEDGER_TOKEN: %s", fileOverEnv.stderr)

	flag := issue(nil, "--token", admin)
	require.Equal(t, 0, flag.code, flag.stderr)
	assert.Contains(t, flag.stderr, "warning: --token shows the token to anyone who can list processes (ps)")
	assert.Contains(t, flag.stderr, "--token-file")

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	twoLines := filepath.Join(dir, "two")
	require.NoError(t, os.WriteFile(twoLines, []byte(admin+"\n"+admin+"\n"), 0o600))
	for name, extra := range map[string][]string{
		"missing file": {"--token-file", filepath.Join(dir, "nope")},
		"empty file":   {"--token-file", empty},
		"two lines":    {"--token-file", twoLines},
		"both flags":   {"--token-file", file, "--token", admin},
	} {
		r := issue(nil, extra...)
		assert.Equal(t, 2, r.code, name)
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %s", r.stderr)
		assert.NotContains(t, r.stderr, admin, "the token is never echoed (%s)", name)
	}
}

func TestServeLimitFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--write-rate", "-1"},
		{"--write-burst", "0"},
		{"--pack-renders", "-2"},
		{"--packs-per-minute", "-1"},
		{"--server-pack-renders", "-1"},
		{"--verifications", "-1"},
		{"--session-idle", "0s"},
		{"--session-max-age", "-1h"},
		{"--session-idle", "soon"},
	} {
		for _, cmd := range []string{"serve", "demo"} { // the demo is a server too: same flags, same checks
			dir := t.TempDir()
			r := ledger(t, nil, append([]string{cmd, "--store", "bolt:" + filepath.Join(dir, "l.db"), "--addr", "127.0.0.1:0"}, args...)...)
			assert.Equal(t, 2, r.code, "%s %v: %s", cmd, args, r.stderr)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %s", r.stderr)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Empty(t, entries, "%s %v: a refused server writes nothing", cmd, args)
		}
	}
	for _, cmd := range []string{"serve", "demo"} {
		help := ledger(t, nil, cmd, "--help")
		for _, f := range []string{"private", "record-timeout", "write-rate", "write-burst", "pack-renders", "server-pack-renders", "packs-per-minute", "verifications", "session-max-age", "session-idle"} {
			assert.Contains(t, help.stdout, "-"+f, "%s --help: %s", cmd, f)
		}
	}
}

// One rule for an actor name (eventstore.ActorProblem): a token is refused at issue (exit 2, one line,
// nothing written) for an actor its own events would be refused for. Before, an actor with a tab, a
// line feed or a carriage return, or of 150 two-byte characters, got a token whose every POST then
// failed with a 400 naming /recorded_by, a field the client never sent.
func TestTokenActorIsTheRecordedByRule(t *testing.T) {
	store := seeded(t)
	for name, actor := range map[string]string{
		"tab":             "Mallory\tAuditor",
		"line feed":       "Mallory\nAuditor General",
		"carriage return": "Mallory\rAuditor General",
		"201 characters":  strings.Repeat("é", 201),
	} {
		r := ledger(t, nil, "token", "issue", "--role", "recorder", "--actor", actor, "--store", store)
		assert.Equal(t, 2, r.code, "%s: %s", name, r.stderr)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%s: one line: %q", name, r.stderr)
		assert.Contains(t, r.stderr, "actor", name)
		assert.Empty(t, r.stdout, name)
	}

	wide := strings.Repeat("é", 150) // 300 bytes, 150 characters
	r := ledger(t, nil, "token", "issue", "--role", "recorder", "--actor", wide, "--store", store)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "actor:    "+wide+"\n")
	var token string
	for _, f := range strings.Fields(r.stdout) {
		if strings.HasPrefix(f, "pl_") {
			token = f
		}
	}
	s := startServe(t, store)
	body := `{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP, 1 March 2016"}],` +
		`"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":100,"status":"forecast","period_to":"2016-03-31"}}`
	req, err := http.NewRequest("POST", s.base+"/v1/partnerships/great-yarmouth-north-norfolk/events", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var ev struct {
		RecordedBy string `json:"recorded_by"`
	}
	require.Equal(t, 201, res.StatusCode, "the token records")
	require.NoError(t, json.NewDecoder(res.Body).Decode(&ev))
	assert.Equal(t, wide, ev.RecordedBy)

}
