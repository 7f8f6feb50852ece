package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Key is the ledger's Ed25519 signing key. The zero Key cannot sign; get one from LoadOrCreateKey,
// NewKey or KeyFromSeed. A Key is immutable and safe for concurrent use.
type Key struct {
	priv ed25519.PrivateKey
	id   string
}

// NewKey returns a fresh random key.
func NewKey() (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generate key: %w", err)
	}
	return keyFrom(priv), nil
}

// KeyFromSeed returns the key with the given 32-byte Ed25519 seed (for tests and fixtures). It panics
// if the seed is not 32 bytes.
func KeyFromSeed(seed []byte) Key { return keyFrom(ed25519.NewKeyFromSeed(seed)) }

func keyFrom(priv ed25519.PrivateKey) Key {
	pub := priv.Public().(ed25519.PublicKey)
	return Key{priv: priv, id: KeyID(pub)}
}

// Public returns the public key.
func (k Key) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// ID returns the key id: KeyID of the public key.
func (k Key) ID() string { return k.id }

// PublicText returns the public key as auditors pin it: standard base64 of its 32 bytes.
func (k Key) PublicText() string { return base64.StdEncoding.EncodeToString(k.Public()) }

// Sign returns the signed tree head for a root at a size with the given timestamp (the recorded_at of
// event size; use the Unix epoch for size 0). The timestamp is kept in UTC.
func (k Key) Sign(size uint64, root Hash, timestamp time.Time) TreeHead {
	timestamp = timestamp.UTC().Round(0)
	return TreeHead{
		Size:      size,
		Root:      root,
		Timestamp: timestamp,
		KeyID:     k.id,
		Signature: ed25519.Sign(k.priv, SigningBytes(size, root, timestamp)),
	}
}

// KeyID returns a public key's id: the first 16 hex digits (8 bytes) of SHA-256 of its 32 raw bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// pemType is the PEM block type of the key file: PKCS #8, as `openssl genpkey -algorithm ed25519` writes.
const pemType = "PRIVATE KEY"

// LoadOrCreateKey reads the Ed25519 key in the PEM (PKCS #8) file at path, or creates one there with
// mode 0600 when the file does not exist (created is then true: the caller should warn that a new key
// was made and must be backed up). Two processes racing to create the file end up with the same key.
//
// It returns an error matching ErrBadKey when the file exists but holds no Ed25519 key, and the
// underlying error when it cannot be read or written.
func LoadOrCreateKey(path string) (key Key, created bool, err error) {
	key, err = loadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	key, err = NewKey()
	if err != nil {
		return Key{}, false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key.priv)
	if err != nil {
		return Key{}, false, fmt.Errorf("key file %s: %w", path, err)
	}
	block := &pem.Block{Type: pemType, Headers: map[string]string{"Key-Id": key.id}, Bytes: der}
	err = CreateSecretFile(path, pem.EncodeToMemory(block))
	if errors.Is(err, fs.ErrExist) {
		key, err = loadKey(path) // another process created it first: its key wins
		return key, false, err
	}
	if err != nil {
		return Key{}, false, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, true, nil
}

// CreateSecretFile creates the file at path holding b, mode 0600 (its directory, 0700, if missing),
// whole or not at all: b is written to a temporary file in the same directory, synced, then linked
// into place, so a crash leaves no half-written file and of two processes racing the first wins.
// It returns an error matching fs.ErrExist, and changes nothing, when path exists.
func CreateSecretFile(path string, b []byte) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	tmp, err := writeSyncedTemp(filepath.Dir(path), ".ledger-key-*", b)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links on this file system: create the file exclusively instead.
		err = writeExclusive(path, b)
	}
	return err
}

func writeExclusive(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// LoadKey reads the Ed25519 key in the PEM (PKCS #8) file at path, never creating one. It returns an
// error matching fs.ErrNotExist when there is no file, ErrBadKey when it holds no Ed25519 key.
func LoadKey(path string) (Key, error) { return loadKey(path) }

// MaxKeyFileBytes is the most LoadKey reads of a key file (a PEM block of about 120 bytes): a larger
// file is a *FileTooLargeError.
const MaxKeyFileBytes = 64 << 10

func loadKey(path string) (Key, error) {
	b, err := ReadFileAtMost(path, MaxKeyFileBytes)
	if err != nil {
		return Key{}, fmt.Errorf("key file: %w", err)
	}
	key, err := ParsePrivateKey(b)
	if err != nil {
		return Key{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// ParsePrivateKey reads an Ed25519 private key from PEM: a PKCS #8 "PRIVATE KEY" block (the key file
// format). It returns an error matching ErrBadKey otherwise.
func ParsePrivateKey(pemBytes []byte) (Key, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != pemType {
		return Key{}, badKey("want a PEM %q block", pemType)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, badKey("%v", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return Key{}, badKey("not an Ed25519 key")
	}
	return keyFrom(priv), nil
}

// ParsePublicKey reads an Ed25519 public key given as text: standard or URL-safe base64 of its 32
// bytes (padded or not, as `ledger key` prints it), 64 hex digits, or a PEM "PUBLIC KEY" (PKIX)
// block. Surrounding whitespace is ignored. It returns an error matching ErrBadKey otherwise.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil || block.Type != "PUBLIC KEY" {
			return nil, badKey("want a PEM \"PUBLIC KEY\" block")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, badKey("%v", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, badKey("not an Ed25519 public key")
		}
		return pub, nil
	}
	if len(s) == 2*ed25519.PublicKeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return ed25519.PublicKey(b), nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != ed25519.PublicKeySize {
				return nil, badKey("public key is %d bytes, want %d", len(b), ed25519.PublicKeySize)
			}
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, badKey("%q is not base64, hex or PEM of an Ed25519 public key", truncate(s, 80))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
