package audit_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
)

func testKey(b byte) audit.Key { return audit.KeyFromSeed(bytes.Repeat([]byte{b}, 32)) }

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ledger.key")
	k1, created, err := audit.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.True(t, created)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	k2, created, err := audit.LoadOrCreateKey(path)
	require.NoError(t, err)
	assert.False(t, created)
	assert.Equal(t, k1.Public(), k2.Public())
	assert.Equal(t, k1.ID(), k2.ID())
	assert.Len(t, k1.ID(), 16)

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestLoadOrCreateKeyRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	_, rsaLike, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	pkix, err := x509.MarshalPKIXPublicKey(rsaLike.Public())
	require.NoError(t, err)
	tests := []struct {
		name    string
		content []byte
	}{
		{"empty", []byte{}},
		{"not pem", []byte("hello")},
		{"public key pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})},
		{"garbage pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			require.NoError(t, os.WriteFile(path, tt.content, 0o600))
			_, created, err := audit.LoadOrCreateKey(path)
			require.ErrorIs(t, err, audit.ErrBadKey)
			assert.False(t, created)
			after, _ := os.ReadFile(path)
			assert.Equal(t, tt.content, after, "a bad key file is never overwritten")
		})
	}
}

func TestKeyIDIsDocumented(t *testing.T) {
	k := testKey(7)
	sum := sha256Sum(k.Public())
	assert.Equal(t, hex.EncodeToString(sum[:8]), k.ID())
	assert.Equal(t, audit.KeyID(k.Public()), k.ID())
}

func TestParsePublicKey(t *testing.T) {
	k := testKey(1)
	pub := k.Public()
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	good := map[string]string{
		"base64":        k.PublicText(),
		"base64 spaces": "  " + base64.StdEncoding.EncodeToString(pub) + "\n",
		"raw base64":    base64.RawStdEncoding.EncodeToString(pub),
		"base64url":     base64.RawURLEncoding.EncodeToString(pub),
		"hex":           hex.EncodeToString(pub),
		"pem":           string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})),
	}
	for name, text := range good {
		t.Run(name, func(t *testing.T) {
			got, err := audit.ParsePublicKey(text)
			require.NoError(t, err)
			assert.Equal(t, pub, got)
		})
	}
	bad := map[string]string{
		"empty":       "",
		"short":       base64.StdEncoding.EncodeToString(pub[:31]),
		"not base64":  "not a key!",
		"private pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	}
	for name, text := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := audit.ParsePublicKey(text)
			assert.ErrorIs(t, err, audit.ErrBadKey)
		})
	}
}

func TestTreeHeadSigningLayout(t *testing.T) {
	var root audit.Hash
	for i := range root {
		root[i] = byte(i)
	}
	ts := time.Date(2016, 6, 1, 12, 0, 0, 5, time.UTC)
	b := audit.SigningBytes(3, root, ts)
	require.Len(t, b, 67)
	assert.Equal(t, "ledger-tree-head-v1", string(b[:19]))
	assert.Equal(t, []byte{0, 0, 0, 0, 0, 0, 0, 3}, b[19:27])
	assert.Equal(t, root[:], b[27:59])
	assert.Equal(t, uint64(ts.UnixNano()), beUint64(b[59:]))
}

func TestTreeHeadSignAndVerify(t *testing.T) {
	k := testKey(1)
	root := audit.LeafHash([]byte("r"))
	ts := time.Date(2016, 6, 1, 12, 0, 0, 123456789, time.FixedZone("BST", 3600))
	th := k.Sign(42, root, ts)
	require.NoError(t, audit.VerifyTreeHead(th, k.Public()))
	assert.Equal(t, time.UTC, th.Timestamp.Location())
	assert.Equal(t, k.Sign(42, root, ts), th, "signing is deterministic")

	b, err := json.Marshal(th)
	require.NoError(t, err)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(b, &fields))
	assert.Equal(t, map[string]any{
		"size": float64(42), "root": root.String(), "timestamp": "2016-06-01T11:00:00.123456789Z",
		"key_id": k.ID(), "signature": base64.StdEncoding.EncodeToString(th.Signature),
	}, fields)
	var back audit.TreeHead
	require.NoError(t, json.Unmarshal(b, &back))
	require.NoError(t, audit.VerifyTreeHead(back, k.Public()))

	tests := []struct {
		name string
		edit func(*audit.TreeHead)
		pub  ed25519.PublicKey
		want error
	}{
		{"other key", func(*audit.TreeHead) {}, testKey(2).Public(), audit.ErrWrongKey},
		{"size", func(h *audit.TreeHead) { h.Size++ }, k.Public(), audit.ErrBadSignature},
		{"root", func(h *audit.TreeHead) { h.Root[0] ^= 1 }, k.Public(), audit.ErrBadSignature},
		{"timestamp", func(h *audit.TreeHead) { h.Timestamp = h.Timestamp.Add(1) }, k.Public(), audit.ErrBadSignature},
		{"signature", func(h *audit.TreeHead) { h.Signature = append([]byte{}, h.Signature[:63]...) }, k.Public(), audit.ErrBadSignature},
		{"key id forged", func(h *audit.TreeHead) { h.KeyID = testKey(2).ID() }, testKey(2).Public(), audit.ErrBadSignature},
		{"short public key", func(*audit.TreeHead) {}, k.Public()[:31], audit.ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := th
			h.Signature = append([]byte{}, th.Signature...)
			tt.edit(&h)
			assert.ErrorIs(t, audit.VerifyTreeHead(h, tt.pub), tt.want)
		})
	}
}

func TestLoadOrCreateKeyRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.key")
	const n = 8
	type result struct {
		key     audit.Key
		created bool
		err     error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			k, created, err := audit.LoadOrCreateKey(path)
			results <- result{k, created, err}
		}()
	}
	var ids []string
	createdCount := 0
	for range n {
		r := <-results
		require.NoError(t, r.err)
		ids = append(ids, r.key.ID())
		if r.created {
			createdCount++
		}
	}
	assert.Equal(t, 1, createdCount, "exactly one caller creates the key")
	for _, id := range ids {
		assert.Equal(t, ids[0], id, "every caller ends up with the same key")
	}
}
