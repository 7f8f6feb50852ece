package reviewpack_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

// v2Key is the public key of the ledger that wrote the packs in testdata/packs/v2 (see its README).
const v2Key = "Ws7jZghMUyYASPUH/fXWC+PnOkgT1BhmU6SKkuhfvMs="

func v2Pub(t *testing.T) ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(v2Key)
	require.NoError(t, err)
	return ed25519.PublicKey(b)
}

// copyDir copies the files of src (one level) into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
	}
	return dst
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
}

// TestEarlierFormatsStillVerify: packs written before issue 21 (format v2) verify after it: their
// events, audit paths and signature as any pack's, their files against the manifest, and the verifier
// says it could not rebuild them. A tampered old pack is still refused.
func TestEarlierFormatsStillVerify(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"june", "october"} {
		dir := filepath.Join("testdata", "packs", "v2", name)
		t.Run(name, func(t *testing.T) {
			v, err := reviewpack.VerifyDir(ctx, dir, v2Pub(t))
			require.NoError(t, err)
			assert.Equal(t, "ledger-review-pack-v2", v.Format)
			assert.Contains(t, reviewpack.EarlierFormats, v.Format)
			assert.False(t, v.Rebuilt, "an earlier format is not rebuilt by today's rules")
			assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "pack.json"}, v.Files)
			assert.Empty(t, v.Absent)
			assert.Equal(t, 26, v.Events)

			one, err := reviewpack.VerifyFile(ctx, filepath.Join(dir, "pack.json"), v2Pub(t))
			require.NoError(t, err)
			assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "manifest.json"}, one.Absent)

			// Without the manifest the renderings can be checked against nothing, and say so.
			bare := copyDir(t, dir)
			require.NoError(t, os.Remove(filepath.Join(bare, "manifest.json")))
			v, err = reviewpack.VerifyDir(ctx, bare, v2Pub(t))
			require.NoError(t, err)
			assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md"}, v.Unchecked)
			assert.Equal(t, []string{"manifest.json"}, v.Absent)
		})
	}
	t.Run("tampered event", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v2", "june"))
		editFile(t, filepath.Join(dir, "pack.json"), `"amount_pence": 4000000`, `"amount_pence": 5000000`)
		_, err := reviewpack.VerifyDir(ctx, dir, v2Pub(t))
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Regexp(t, `pack\.json: event \[\d+\] \(id [0-9a-f-]{36}, SavingsReported\): .*the event was altered`, err.Error())
	})
	t.Run("tampered rendering", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v2", "june"))
		editFile(t, filepath.Join(dir, "pack.md"), "Executive summary", "Summary")
		_, err := reviewpack.VerifyDir(ctx, dir, v2Pub(t))
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), "pack.md: SHA-256")
	})
	t.Run("members only later formats have", func(t *testing.T) {
		for _, c := range []struct{ after, add, pointer string }{
			{`"format": "ledger-review-pack-v2",`, `"since": "3",`, "/since"},
			{`"report": {`, `"gaps": [],`, "/report/gaps"},
			{`"cover_options": {`, `"meetings": ["cabinet=2016-06-20"]`, "/cover_options/meetings"},
		} {
			dir := copyDir(t, filepath.Join("testdata", "packs", "v2", "june"))
			editFile(t, filepath.Join(dir, "pack.json"), c.after, c.after+c.add)
			_, err := reviewpack.VerifyDir(ctx, dir, v2Pub(t))
			require.ErrorIs(t, err, reviewpack.ErrRefused, c.pointer)
			assert.Contains(t, err.Error(), "pack.json is labelled ledger-review-pack-v2, but carries "+c.pointer+", a member that format never had")
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v2", "june"))
		editFile(t, filepath.Join(dir, "pack.json"), `"format": "ledger-review-pack-v2"`, `"format": "ledger-review-pack-v1"`)
		_, err := reviewpack.VerifyDir(ctx, dir, v2Pub(t))
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), `pack.json is format "ledger-review-pack-v1"; this ledger checks "`+reviewpack.FormatVersion+`"`)
	})
}

// v3Key is the public key of the ledger that wrote the packs in testdata/packs/v3 (see its README).
const v3Key = "2KEs7sRHMC+xEFDLJRRDC4JTaWMJ7xXn04oS1Bzh6T8="

// TestV3PacksStillVerify: packs of format v3 (issue 21 before its committee review, built at commit
// 7b5daa2) verify after v4: events, audit paths and signature, files against the manifest, and the
// report is not rebuilt (the CLI says "report NOT checked": TestVerifyPackEarlierFormatV3). A v3
// pack carrying a member only v4 has is refused.
func TestV3PacksStillVerify(t *testing.T) {
	ctx := context.Background()
	b, err := base64.StdEncoding.DecodeString(v3Key)
	require.NoError(t, err)
	pub := ed25519.PublicKey(b)
	for _, name := range []string{"june", "october"} {
		dir := filepath.Join("testdata", "packs", "v3", name)
		t.Run(name, func(t *testing.T) {
			v, err := reviewpack.VerifyDir(ctx, dir, pub)
			require.NoError(t, err)
			assert.Equal(t, "ledger-review-pack-v3", v.Format)
			assert.Contains(t, reviewpack.EarlierFormats, v.Format)
			assert.False(t, v.Rebuilt, "an earlier format is not rebuilt by today's rules")
			assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "pack.json"}, v.Files)
			assert.Empty(t, v.Absent)

			one, err := reviewpack.VerifyFile(ctx, filepath.Join(dir, "pack.json"), pub)
			require.NoError(t, err)
			assert.False(t, one.Rebuilt)
		})
	}
	t.Run("tampered rendering", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v3", "june"))
		editFile(t, filepath.Join(dir, "pack.md"), "£40,000", "£400,000")
		_, err := reviewpack.VerifyDir(ctx, dir, pub)
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), "pack.md: SHA-256")
	})
	t.Run("a member only later formats have", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v3", "june"))
		editFile(t, filepath.Join(dir, "pack.json"), `"report": {`, `"report": {"retractions": [],`)
		_, err := reviewpack.VerifyDir(ctx, dir, pub)
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), "pack.json is labelled ledger-review-pack-v3, but carries /report/retractions, a member that format never had")
	})
}

// v4Key is the public key of the ledger that wrote the packs in testdata/packs/v4 (see its README).
const v4Key = "TdZ0Mx61gvibsp52n7xAOfcMAU3nl6l8WeJgkVqqJK4="

// TestV4PacksStillVerify: packs of format v4 (issue 21 after its committee review, built at commit
// 289a7c2) verify after v5 (issue 23: corrections in words): events, audit paths and signature, files
// against the manifest, and the report is not rebuilt (the CLI says "report NOT checked":
// TestVerifyPackEarlierFormat). A tampered rendering is refused.
func TestV4PacksStillVerify(t *testing.T) {
	ctx := context.Background()
	b, err := base64.StdEncoding.DecodeString(v4Key)
	require.NoError(t, err)
	pub := ed25519.PublicKey(b)
	for _, name := range []string{"june", "october"} {
		dir := filepath.Join("testdata", "packs", "v4", name)
		t.Run(name, func(t *testing.T) {
			v, err := reviewpack.VerifyDir(ctx, dir, pub)
			require.NoError(t, err)
			assert.Equal(t, "ledger-review-pack-v4", v.Format)
			assert.NotEqual(t, reviewpack.FormatVersion, v.Format)
			assert.Contains(t, reviewpack.EarlierFormats, v.Format)
			assert.False(t, v.Rebuilt, "an earlier format is not rebuilt by today's rules")
			assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "pack.json"}, v.Files)
			assert.Empty(t, v.Absent)

			one, err := reviewpack.VerifyFile(ctx, filepath.Join(dir, "pack.json"), pub)
			require.NoError(t, err)
			assert.False(t, one.Rebuilt)
		})
	}
	t.Run("tampered rendering", func(t *testing.T) {
		dir := copyDir(t, filepath.Join("testdata", "packs", "v4", "june"))
		editFile(t, filepath.Join(dir, "pack.md"), "£40,000", "£400,000")
		_, err := reviewpack.VerifyDir(ctx, dir, pub)
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), "pack.md: SHA-256")
	})
}

// TestVerifyOnePackFile: a pack downloaded as pack.json alone, under another name, verifies in full
// (every event, audit path and the signature; the report rebuilt) and names what it could not check;
// an edit to it is refused naming the event by [n] and id.
func TestVerifyOnePackFile(t *testing.T) {
	ctx := context.Background()
	pub := testKey().Public()
	p := fixturePack(t)
	path := filepath.Join(t.TempDir(), "great-yarmouth pack (1).json")
	require.NoError(t, os.WriteFile(path, render(t, p, "json"), 0o644))

	v, err := reviewpack.VerifyFile(ctx, path, pub)
	require.NoError(t, err)
	assert.Equal(t, reviewpack.FormatVersion, v.Format)
	assert.True(t, v.Rebuilt)
	assert.Equal(t, len(fixtureEvents), v.Events)
	assert.Equal(t, []string{"pack.json"}, v.Files)
	assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "manifest.json"}, v.Absent)

	// A directory holding only pack.json verifies the same way.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pack.json"), render(t, p, "json"), 0o644))
	v, err = reviewpack.VerifyDir(ctx, dir, pub)
	require.NoError(t, err)
	assert.Equal(t, []string{"manifest.json", "pack.html", "pack.pdf", "pack.md"}, v.Absent)

	editFile(t, path, `"amount_pence": 4000000`, `"amount_pence": 5000000`)
	_, err = reviewpack.VerifyFile(ctx, path, pub)
	require.ErrorIs(t, err, reviewpack.ErrRefused)
	var seq, id string
	for _, ce := range p.Evidence.Events { // the first event holding the edited amount
		if strings.Contains(string(ce.Event.Data), `"amount_pence":4000000`) {
			seq, id = strconv.FormatUint(ce.Event.Seq, 10), ce.Event.ID.String()
			break
		}
	}
	require.NotEmpty(t, id)
	assert.Contains(t, err.Error(), "event ["+seq+"] (id "+id+", SavingsReported)")
}
