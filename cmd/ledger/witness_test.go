package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

// Bad input to the witness commands and to serve's --witness flags is one line and exit 2, and
// writes nothing: no key file, no state directory, no store.
func TestWitnessFlagsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	made := ledger(t, nil, "witness", "key", "-o", "w.key", "--name", "witness.example/w")
	require.Equal(t, 0, made.code, made.stderr)
	wvkey := strings.TrimSpace(made.stdout)
	assert.Contains(t, made.stderr, "back it up")
	keyBytes, err := os.ReadFile("w.key")
	require.NoError(t, err)
	info, err := os.Stat("w.key")
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	require.NoError(t, os.WriteFile("junk.key", []byte("not a key\n"), 0o600))
	shown := ledger(t, nil, "witness", "key", "--key-file", "w.key")
	require.Equal(t, 0, shown.code, shown.stderr)
	assert.Equal(t, wvkey+"\n", shown.stdout)

	_, logVKey, err := note.GenerateKey(nil, "ledger.example/x")
	require.NoError(t, err)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"witness"}, "want 'witness serve"},
		{[]string{"witness", "key"}, "want -o FILE --name NAME"},
		{[]string{"witness", "key", "-o", "new.key"}, "--name NAME is required"},
		{[]string{"witness", "key", "-o", "new.key", "--name", "has space"}, "a witness name is"},
		{[]string{"witness", "key", "-o", "new.key", "--name", "a+b"}, "a witness name is"},
		{[]string{"witness", "key", "-o", "w.key", "--name", "witness.example/w"}, "w.key exists"},
		{[]string{"witness", "key", "-o", "new.key", "--key-file", "w.key"}, "not both"},
		{[]string{"witness", "key", "--key-file", "junk.key"}, "key file junk.key"},
		{[]string{"witness", "key", "--key-file", "none.key"}, "no key file none.key"},
		{[]string{"witness", "serve", "--log-key", logVKey}, "--key-file FILE is required"},
		{[]string{"witness", "serve", "--key-file", "w.key"}, "--log-key VKEY is required"},
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", "nonsense"}, "--log-key"},
		{[]string{"witness", "serve", "--key-file", "none.key", "--log-key", logVKey}, "no key file none.key"},
		{[]string{"witness", "serve", "--key-file", "junk.key", "--log-key", logVKey}, "key file junk.key"},
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey, "extra"}, "unexpected argument"},
		{[]string{"serve", "--witness", "nonsense"}, "--witness"},
		{[]string{"serve", "--witness", wvkey}, "VKEY@URL"},
		{[]string{"serve", "--witness", wvkey + "@ftp://x"}, "not an http(s) URL"},
		{[]string{"serve", "--witness", logVKey + "@http://127.0.0.1:1"}, "cosignature/v1"},
		{[]string{"serve", "--witness", wvkey + "@http://127.0.0.1:1", "--witness", wvkey + "@http://127.0.0.1:2"}, "given twice"},
		{[]string{"serve", "--witness", wvkey + "@http://127.0.0.1:1", "--witness-quorum", "2"}, "must be 1 to 1"},
		{[]string{"serve", "--witness-quorum", "1"}, "needs witnesses"},
		{[]string{"demo", "--witness-quorum", "1"}, "needs witnesses"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := ledger(t, nil, tc.args...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"w.key", "junk.key"}, names, "nothing else was written")
	after, err := os.ReadFile(filepath.Join(dir, "w.key"))
	require.NoError(t, err)
	assert.Equal(t, keyBytes, after, "an existing key is never replaced")
}
