package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/witness"
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
		{[]string{"witness", "key", "-o", "new.key", "--name", "https://x.test/w"}, "a witness name is a schema-less URL"},
		{[]string{"witness", "key", "-o", "nodir/n.key", "--name", "x.test/w"}, "the directory nodir does not exist"},
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
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey}, "--state DIR is required"},
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey, "--log-key", logVKey, "--state", "st"}, "is given twice"},
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey, "--state", "st"}, "no witness state (st/witness.db) there"},
		{[]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey, "--state", "/proc/x", "--init"}, "--state /proc/x"},
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

// A witness never starts again from nothing on its own (docs/integrity.md §10): its state must
// exist unless --init, which makes a new one, says so loudly, and never replaces one. An existing
// state file that is empty, cut short or overwritten is refused in one line, exit 1, never a crash
// (SIGBUS, a bbolt panic) and never a fresh state.
func TestWitnessStateIsNeverSilentlyNew(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.Equal(t, 0, ledger(t, nil, "witness", "key", "-o", "w.key", "--name", "witness.example/w").code)
	_, logVKey, err := note.GenerateKey(nil, "ledger.example/x")
	require.NoError(t, err)
	serve := func(state string, more ...string) result {
		return ledger(t, nil, append([]string{"witness", "serve", "--key-file", "w.key", "--log-key", logVKey, "--addr", "127.0.0.1:0", "--state", state}, more...)...)
	}

	// A sound state, made as --init makes it, to damage below.
	sound := filepath.Join(dir, "sound")
	st, err := witness.CreateState(sound)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	good, err := os.ReadFile(filepath.Join(sound, witness.StateFile))
	require.NoError(t, err)
	require.Greater(t, len(good), 12288)

	r := serve(sound, "--init")
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "exists; drop --init to use it")

	overwritten := append([]byte(nil), good...)
	for off := 8192; off+32 <= len(overwritten); off += 4096 {
		copy(overwritten[off:], bytes.Repeat([]byte{0xA5}, 32))
	}
	for name, content := range map[string][]byte{
		"empty":       nil,
		"cut short":   good[:10000],
		"overwritten": overwritten,
		"not bbolt":   bytes.Repeat([]byte("x"), 8192),
	} {
		t.Run(name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "state")
			require.NoError(t, os.MkdirAll(d, 0o700))
			path := filepath.Join(d, witness.StateFile)
			require.NoError(t, os.WriteFile(path, content, 0o600))
			r := serve(d)
			assert.Equal(t, 1, r.code, r.stderr)
			assert.Contains(t, r.stderr, "the witness state is damaged at ")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.NotContains(t, r.stderr, "goroutine")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, len(content), len(after), "the damaged file is left as it is")
			r = serve(d, "--init")
			assert.Equal(t, 2, r.code, "--init never replaces a damaged state: %s", r.stderr)
		})
	}
}
