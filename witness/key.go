package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault"
)

// algCosignatureV1 is the signature type of an Ed25519 cosignature/v1 key (c2sp.org/tlog-cosignature).
const algCosignatureV1 = 0x04

// Key is a witness's Ed25519 signing key and its name (a schema-less URL that identifies the witness,
// e.g. "witness.great-yarmouth.gov.uk/ledger"). It signs cosignature/v1 cosignatures.
type Key struct {
	name   string
	priv   ed25519.PrivateKey
	signer *fnote.Signer
}

// NewKey returns a fresh random key named name, or a fault.Malformed error for a name a signed note
// cannot carry (empty, spaces, '+', control characters, invalid UTF-8, over 200 bytes).
func NewKey(name string) (Key, error) {
	if err := checkName(name); err != nil {
		return Key{}, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("witness key: %w", err)
	}
	return keyFrom(name, priv)
}

func keyFrom(name string, priv ed25519.PrivateKey) (Key, error) {
	signer, err := fnote.NewSignerForCosignatureV1(skey(name, priv))
	if err != nil {
		return Key{}, fault.Errorf(fault.Malformed, "witness key: %v", err)
	}
	return Key{name: name, priv: priv, signer: signer}, nil
}

func checkName(name string) error {
	if name == "" || len(name) > 200 || strings.Contains(name, "://") || !utf8.ValidString(name) || strings.ContainsRune(name, '+') ||
		strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return fault.Errorf(fault.Malformed, "a witness name is a schema-less URL of at most 200 bytes without spaces, '+' or control characters, e.g. witness.great-yarmouth.gov.uk/ledger (got %q)", name)
	}
	return nil
}

// keyHash is the key id of an Ed25519 cosignature/v1 key: SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4]
// (c2sp.org/tlog-cosignature).
func keyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{algCosignatureV1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// skey is the key's private text, as signed-note tools write it:
// "PRIVATE+KEY+NAME+HASH+BASE64(0x04 ‖ seed)".
func skey(name string, priv ed25519.PrivateKey) string {
	pub := priv.Public().(ed25519.PublicKey)
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, keyHash(name, pub),
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, priv.Seed()...)))
}

// Name returns the witness's name.
func (k Key) Name() string { return k.name }

// Signer returns the cosignature/v1 signer (transparency-dev/formats): each signature carries the
// time of signing, in whole seconds.
func (k Key) Signer() note.Signer { return k.signer }

// VerifierKey returns the key as people pin it: the signed-note verifier key
// "NAME+HASH+BASE64(0x04 ‖ public key)" (c2sp.org/signed-note, c2sp.org/tlog-cosignature).
func (k Key) VerifierKey() string {
	pub := k.priv.Public().(ed25519.PublicKey)
	return fmt.Sprintf("%s+%08x+%s", k.name, keyHash(k.name, pub),
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, pub...)))
}

// CreateKeyFile makes a new key named name in a new file at path (mode 0600, one line: the private
// text). An existing file is never replaced: that is a fault.Malformed error naming it.
func CreateKeyFile(path, name string) (Key, error) {
	k, err := NewKey(name)
	if err != nil {
		return Key{}, err
	}
	if d := filepath.Dir(path); d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return Key{}, fault.Errorf(fault.Malformed, "%s: the directory %s does not exist; make it first (a key is written only where asked)", path, d)
		}
	}
	err = audit.CreateSecretFile(path, []byte(skey(k.name, k.priv)+"\n"))
	if errors.Is(err, fs.ErrExist) {
		return Key{}, fault.Errorf(fault.Malformed, "%s exists; a witness's key is never replaced (its vkey is pinned): print it with 'ledger witness key --key-file %s'", path, path)
	}
	if err != nil {
		return Key{}, fmt.Errorf("witness key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKey reads a witness's private text "PRIVATE+KEY+NAME+HASH+BASE64(0x04 ‖ 32-byte seed)"; its
// HASH must be the key id. Anything else matches audit.ErrBadKey.
func ParseKey(text string) (Key, error) {
	parts := strings.SplitN(text, "+", 5) // the base64 may hold '+'
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return Key{}, badKey("want PRIVATE+KEY+NAME+HASH+KEY, as 'ledger witness key' writes it")
	}
	if checkName(parts[2]) != nil {
		return Key{}, badKey("the name %q is not a witness name", parts[2])
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algCosignatureV1 {
		return Key{}, badKey("not an Ed25519 cosignature/v1 key")
	}
	k, err := keyFrom(parts[2], ed25519.NewKeyFromSeed(raw[1:]))
	if err != nil {
		return Key{}, badKey("%v", err)
	}
	if want := fmt.Sprintf("%08x", k.signer.KeyHash()); parts[3] != want {
		return Key{}, badKey("its key id %s is not the key's (%s)", parts[3], want)
	}
	return k, nil
}

// ParseVerifierKey reads a witness's pinned key, "NAME+HASH+BASE64(0x04 ‖ 32-byte public key)" as
// VerifierKey writes it, into a cosignature/v1 verifier; HASH must be the key id, so a mistyped key
// is refused rather than never matching. Anything else matches audit.ErrBadKey.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	parts := strings.SplitN(vkey, "+", 3) // the base64 may hold '+'
	if len(parts) != 3 || checkName(parts[0]) != nil {
		return nil, badKey("a witness key is NAME+HASH+KEY, as 'ledger witness key' prints it (got %q)", clip([]byte(vkey)))
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != algCosignatureV1 {
		return nil, badKey("the witness key %q is not an Ed25519 cosignature/v1 key", clip([]byte(vkey)))
	}
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		return nil, badKey("%v", err)
	}
	if want := fmt.Sprintf("%08x", keyHash(parts[0], raw[1:])); parts[1] != want {
		return nil, badKey("the witness key %q has key id %s, not its key's (%s)", clip([]byte(vkey)), parts[1], want)
	}
	return v, nil
}

// ParseLogKey reads a log's checkpoint key: a signed-note verifier key "ORIGIN+HASH+BASE64(0x01 ‖
// Ed25519 public key)" (golang.org/x/mod/sumdb/note), whose name is the log's origin. Anything else
// matches audit.ErrBadKey.
func ParseLogKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, badKey("a log key is ORIGIN+HASH+KEY, as the ledger prints it (%v)", err)
	}
	return v, nil
}

func badKey(format string, args ...any) error {
	return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf(format, args...), Err: audit.ErrBadKey}
}
