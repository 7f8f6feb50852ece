package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// Checkpoints (docs/integrity.md, "Checkpoints"): the ledger's Merkle root at a size as a C2SP
// tlog-checkpoint (https://c2sp.org/tlog-checkpoint), signed as a C2SP signed note
// (https://c2sp.org/signed-note) with the ledger's Ed25519 key under the key name Origin:
//
//	<origin>\n
//	<size, decimal>\n
//	<root, standard base64 of 32 bytes>\n
//	\n
//	— <origin> <base64(key hash (4 bytes) ‖ Ed25519 signature (64 bytes))>\n
//
// The key hash is SHA-256(origin ‖ "\n" ‖ 0x01 ‖ public key)[:4] (signed-note). Witnesses' cosignatures
// (C2SP tlog-cosignature, cosignature/v1) are further signature lines of the same note. A checkpoint
// carries no time: its Ed25519 signature is deterministic, so the checkpoint of a size always has the
// same bytes; the cosignatures carry when each witness signed.

var (
	// ErrBadCheckpoint: the text is not a signed note holding a checkpoint (C2SP tlog-checkpoint),
	// or not one of this ledger's shape (a 32-byte root).
	ErrBadCheckpoint = errors.New("not a checkpoint")
	// ErrWrongOrigin: a checkpoint names another log (origin) than the pinned key's, or an origin
	// is not of the form the ledger takes.
	ErrWrongOrigin = errors.New("checkpoint of another origin")
)

// MaxOriginBytes bounds an origin (and so the ledger's key name).
const MaxOriginBytes = 128

// DefaultOrigin is the origin of a ledger whose operator set none: "partnership-ledger/<key id>",
// stable for as long as the key is, and different for every ledger with a key of its own. Operators
// should name their ledger instead (ledger --origin, LEDGER_ORIGIN), as
// "ledger.example.gov.uk/great-yarmouth-north-norfolk".
func DefaultOrigin(keyID string) string { return "partnership-ledger/" + keyID }

// CheckOrigin checks that origin is an origin the ledger signs under: a schema-less URL-like name
// (C2SP tlog-checkpoint recommends "example.com/log42"), 1 to MaxOriginBytes bytes of printable UTF-8
// without spaces or "+" (a signed-note key name), and no "://". It returns an error matching
// ErrWrongOrigin and fault.Malformed otherwise.
func CheckOrigin(origin string) error {
	bad := func(why string) error {
		return &fault.Error{Kind: fault.Malformed, Err: ErrWrongOrigin,
			Message: fmt.Sprintf("origin %q %s; an origin names the ledger as a URL without its scheme, such as ledger.example.gov.uk/great-yarmouth-north-norfolk", truncate(origin, 80), why)}
	}
	switch {
	case origin == "":
		return bad("is empty")
	case len(origin) > MaxOriginBytes:
		return bad(fmt.Sprintf("is %d bytes, the most is %d", len(origin), MaxOriginBytes))
	case !utf8.ValidString(origin):
		return bad("is not UTF-8")
	case strings.Contains(origin, "://"):
		return bad("has a scheme")
	}
	for _, r := range origin {
		if r == '+' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return bad(fmt.Sprintf("holds %q", r))
		}
	}
	return nil
}

// PinnedKey is the ledger key an auditor pinned: its Ed25519 public key and, when pinned as a note
// verifier key, the origin that names it. A key pinned as bare base64 has no Origin: a checkpoint is
// then checked under the origin it names itself.
type PinnedKey struct {
	Public ed25519.PublicKey
	Origin string // "" unless pinned as a verifier key
}

// ID is the pinned key's key id (KeyID).
func (p PinnedKey) ID() string { return KeyID(p.Public) }

// ParsePinnedKey reads a pinned key as `ledger key` prints it: a C2SP signed-note verifier key
// ("<origin>+<key hash, 8 hex>+<base64 of 0x01 ‖ 32-byte Ed25519 key>"), or any form
// ParsePublicKey takes (base64, hex, PEM). It returns an error matching ErrBadKey otherwise.
func ParsePinnedKey(text string) (PinnedKey, error) {
	text = strings.TrimSpace(text)
	pub, err := ParsePublicKey(text)
	if err == nil {
		return PinnedKey{Public: pub}, nil
	}
	// Standard base64 may hold "+" too, but a verifier key is never the 32 bytes of a bare key.
	name, rest, ok := strings.Cut(text, "+")
	if !ok || strings.HasPrefix(text, "-----BEGIN") {
		return PinnedKey{}, err
	}
	if pub, err = parseVerifierKey(text, name, rest); err != nil {
		return PinnedKey{}, err
	}
	return PinnedKey{Public: pub, Origin: name}, nil
}

// parseVerifierKey reads the Ed25519 key of a note verifier key, checked by note.NewVerifier (its
// key hash must match).
func parseVerifierKey(vkey, name, rest string) (ed25519.PublicKey, error) {
	bad := func(why string) error {
		return badKey("%q is not a note verifier key (<origin>+<8 hex>+<base64>): %s", truncate(vkey, 80), why)
	}
	if err := CheckOrigin(name); err != nil {
		return nil, bad(fault.Message(err))
	}
	_, b64, ok := strings.Cut(rest, "+")
	if !ok {
		return nil, bad("it has two parts, not three")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return nil, bad("its key is not an Ed25519 key (algorithm 1, 32 bytes)")
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		return nil, bad(err.Error())
	}
	return ed25519.PublicKey(raw[1:]), nil
}

// VerifierKey returns the C2SP signed-note verifier key of pub under origin, the text auditors pin
// to check checkpoints with any signed-note tool (note.NewVerifier):
// "<origin>+<key hash, 8 hex>+<base64 of 0x01 ‖ key>". It returns an error for a bad origin
// (CheckOrigin).
func VerifierKey(origin string, pub ed25519.PublicKey) (string, error) {
	if err := CheckOrigin(origin); err != nil {
		return "", err
	}
	return note.NewEd25519VerifierKey(origin, pub)
}

// noteSigner is a note.Signer for the ledger's key under one origin.
type noteSigner struct {
	name string
	hash uint32
	priv ed25519.PrivateKey
}

func (s noteSigner) Name() string                    { return s.name }
func (s noteSigner) KeyHash() uint32                 { return s.hash }
func (s noteSigner) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.priv, msg), nil }

// SignCheckpoint returns the checkpoint of size and root under origin, signed with k: a C2SP signed
// note (see the comment at the top of this file). Errors: a bad origin (CheckOrigin), the zero Key.
func (k Key) SignCheckpoint(origin string, size uint64, root Hash) ([]byte, error) {
	if k.priv == nil {
		return nil, errors.New("sign checkpoint: no key")
	}
	vkey, err := VerifierKey(origin, k.Public())
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	body := log.Checkpoint{Origin: origin, Size: size, Hash: root[:]}.Marshal()
	return note.Sign(&note.Note{Text: string(body)}, noteSigner{name: origin, hash: v.KeyHash(), priv: k.priv})
}

// Checkpoint is a checkpoint read and verified by VerifyCheckpoint.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   Hash
	// Note is the signed note as read, every signature line included.
	Note []byte
	// Cosignatures are the note's signature lines other than the ledger's, unverified (a witness's
	// cosignature is checked under that witness's key).
	Cosignatures []eventstore.Cosignature
}

// VerifyCheckpoint reads a signed checkpoint and checks the ledger's signature under pin, with
// golang.org/x/mod/sumdb/note and github.com/transparency-dev/formats/log. The signature must be
// under the key name that is the checkpoint's origin; when pin has an Origin, the checkpoint's must
// be the same.
//
// Errors (each also a fault.Malformed for people): ErrBadCheckpoint for text that is not a signed
// checkpoint of this ledger's shape (over eventstore.MaxCheckpointNoteBytes, not a note, no origin,
// size or base64 root line, a root not of 32 bytes); ErrWrongOrigin for another origin than pin's;
// ErrWrongKey when no signature is by the pinned key under the origin; ErrBadSignature when that
// signature does not verify.
func VerifyCheckpoint(text []byte, pin PinnedKey) (Checkpoint, error) {
	bad := func(sentinel error, format string, args ...any) error {
		return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf(format, args...), Err: sentinel}
	}
	if len(text) > eventstore.MaxCheckpointNoteBytes {
		return Checkpoint{}, bad(ErrBadCheckpoint, "a checkpoint is at most %d bytes; this is %d", eventstore.MaxCheckpointNoteBytes, len(text))
	}
	origin, _, ok := bytes.Cut(text, []byte("\n"))
	if !ok || len(origin) == 0 {
		return Checkpoint{}, bad(ErrBadCheckpoint, "not a checkpoint: it does not start with an origin line")
	}
	if err := CheckOrigin(string(origin)); err != nil {
		return Checkpoint{}, bad(ErrBadCheckpoint, "not a checkpoint: %s", fault.Message(err))
	}
	if pin.Origin != "" && string(origin) != pin.Origin {
		return Checkpoint{}, bad(ErrWrongOrigin, "the checkpoint's origin is %q, the pinned key's %q: it is another log's checkpoint", origin, pin.Origin)
	}
	vkey, err := VerifierKey(string(origin), pin.Public)
	if err != nil {
		return Checkpoint{}, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, bad(ErrBadKey, "the pinned key: %v", err)
	}
	n, err := note.Open(text, note.VerifierList(v))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		return Checkpoint{}, bad(ErrWrongKey, "the checkpoint (origin %q) carries no signature by the pinned key (key id %s) under that origin; it has %s",
			origin, pin.ID(), signerNames(unverified.Note))
	case errors.As(err, &invalid):
		return Checkpoint{}, bad(ErrBadSignature, "the checkpoint's signature by the pinned key (key id %s) does not verify: it was altered or forged", pin.ID())
	case err != nil:
		return Checkpoint{}, bad(ErrBadCheckpoint, "not a signed checkpoint: %v", err)
	}
	cp, err := ParseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	cp.Note = bytes.Clone(text)
	for _, s := range n.UnverifiedSigs {
		if c, err := signatureOf(s); err == nil {
			cp.Cosignatures = append(cp.Cosignatures, c)
		}
	}
	return cp, nil
}

// ParseCheckpointText reads a checkpoint's text (the note's text, before its signatures, as
// note.Open gives it) with log.Checkpoint, and holds it to the C2SP shape the ledger and its
// witnesses read: an origin, a size line without leading zeros, a base64 root of 32 bytes, then
// any extension lines. It checks no signature. Errors match ErrBadCheckpoint (fault.Malformed).
func ParseCheckpointText(text string) (Checkpoint, error) {
	bad := func(format string, args ...any) error {
		return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf(format, args...), Err: ErrBadCheckpoint}
	}
	// The size line first: the parser's own message for it shows Go's ("strconv.ParseUint: ...").
	if err := checkSizeLine(text); err != nil {
		return Checkpoint{}, bad("not a checkpoint: %v", err)
	}
	var body log.Checkpoint
	if _, err := body.Unmarshal([]byte(text)); err != nil {
		return Checkpoint{}, bad("not a checkpoint: %v", err)
	}
	if len(body.Hash) != len(Hash{}) {
		return Checkpoint{}, bad("the checkpoint's root is %d bytes, want %d", len(body.Hash), len(Hash{}))
	}
	cp := Checkpoint{Origin: body.Origin, Size: body.Size}
	copy(cp.Root[:], body.Hash)
	if err := CheckEmptyRoot("checkpoint", cp.Size, cp.Root); err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}

// ParseCheckpoint reads a signed checkpoint's origin, size and root without checking any signature
// (VerifyCheckpoint does, once the key is known): for a file whose key is given later. Errors match
// ErrBadCheckpoint (fault.Malformed).
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if len(text) > eventstore.MaxCheckpointNoteBytes {
		return Checkpoint{}, &fault.Error{Kind: fault.Malformed, Err: ErrBadCheckpoint,
			Message: fmt.Sprintf("a checkpoint is at most %d bytes; this is %d", eventstore.MaxCheckpointNoteBytes, len(text))}
	}
	body, _, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, &fault.Error{Kind: fault.Malformed, Err: ErrBadCheckpoint, Message: "not a signed checkpoint: no blank line before its signatures"}
	}
	cp, err := ParseCheckpointText(string(body) + "\n")
	if err != nil {
		return Checkpoint{}, err
	}
	cp.Note = bytes.Clone(text)
	return cp, nil
}

// checkSizeLine holds the size line to its C2SP form, ASCII decimal without leading zeros or sign
// (strconv.ParseUint, which log.Checkpoint uses, also takes "+3" and "03").
func checkSizeLine(text string) error {
	lines := strings.SplitN(text, "\n", 3)
	if len(lines) < 3 {
		return errors.New("too few lines")
	}
	if s := lines[1]; s != strconv.FormatUint(mustParseUint(s), 10) {
		return fmt.Errorf("size %q is not a decimal number without leading zeros", truncate(s, 40))
	}
	return nil
}

func mustParseUint(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// signerNames lists the key names of a note's signatures, for a message.
func signerNames(n *note.Note) string {
	if n == nil || len(n.UnverifiedSigs) == 0 {
		return "no signature"
	}
	names := make([]string, 0, len(n.UnverifiedSigs))
	for _, s := range n.UnverifiedSigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	return "signatures by " + strings.Join(names, ", ")
}

// signatureOf is a note signature as an eventstore.Cosignature.
func signatureOf(s note.Signature) (eventstore.Cosignature, error) {
	sig, err := base64.StdEncoding.DecodeString(s.Base64)
	if err != nil {
		return eventstore.Cosignature{}, err
	}
	return eventstore.Cosignature{Name: s.Name, Signature: sig}, nil
}

// SignatureLine is a cosignature as a signed note's signature line: "— <name> <base64>\n".
func SignatureLine(c eventstore.Cosignature) string {
	return "— " + c.Name + " " + base64.StdEncoding.EncodeToString(c.Signature) + "\n"
}

// ParseSignatureLine reads one signature line of a signed note ("— <name> <base64>", the final
// newline optional), as a witness answers a C2SP tlog-witness add-checkpoint request, into a
// Cosignature whose shapes a CheckpointStore takes (eventstore.CheckCosignature). It checks no
// signature. Errors match ErrBadCheckpoint.
func ParseSignatureLine(line string) (eventstore.Cosignature, error) {
	bad := func(why string) error {
		return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf("signature line %q: %s", truncate(line, 80), why), Err: ErrBadCheckpoint}
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "— ")
	if !ok {
		return eventstore.Cosignature{}, bad(`it does not start with "— "`)
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok {
		return eventstore.Cosignature{}, bad("want a key name and a signature")
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return eventstore.Cosignature{}, bad("the signature is not base64")
	}
	c := eventstore.Cosignature{Name: name, Signature: sig}
	if err := eventstore.CheckCosignature(0, c); err != nil {
		return eventstore.Cosignature{}, bad(strings.TrimPrefix(err.Error(), "checkpoint of size 0: cosignature: "))
	}
	return c, nil
}

// WithCosignatures returns a stored checkpoint as GET /checkpoint serves it: the ledger's signed note
// with each cosignature appended as a further signature line, in the order stored.
func WithCosignatures(cp eventstore.Checkpoint) []byte {
	out := bytes.Clone(cp.Note)
	for _, c := range cp.Cosignatures {
		out = append(out, SignatureLine(c)...)
	}
	return out
}
