package audit

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"time"
)

// TreeHeadVersion prefixes the bytes a tree head signature covers (docs/integrity.md).
const TreeHeadVersion = "ledger-tree-head-v1"

// TreeHead is a signed statement of the Merkle root at a size. Its Timestamp is the recorded_at of
// event Size (the Unix epoch for size 0), so the head of a given size always signs to the same bytes:
// Ed25519 signatures are deterministic.
//
// In JSON: {"size": 3, "root": "<hex>", "timestamp": "<RFC 3339, nanoseconds>", "key_id": "<16 hex>",
// "signature": "<base64>"}.
type TreeHead struct {
	Size      uint64    `json:"size"`
	Root      Hash      `json:"root"`
	Timestamp time.Time `json:"timestamp"`
	KeyID     string    `json:"key_id"`
	Signature []byte    `json:"signature"`
}

// SigningBytes returns the 67 bytes a tree head signature covers:
//
//	"ledger-tree-head-v1" (19 ASCII bytes) ‖ size (8 bytes, big-endian) ‖ root (32 bytes) ‖
//	timestamp (Unix nanoseconds, 8 bytes, big-endian two's complement)
//
// KeyID and Signature are not covered: the key id is derived from the public key that checks it.
func SigningBytes(size uint64, root Hash, timestamp time.Time) []byte {
	b := make([]byte, 0, len(TreeHeadVersion)+8+32+8)
	b = append(b, TreeHeadVersion...)
	b = binary.BigEndian.AppendUint64(b, size)
	b = append(b, root[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(timestamp.UnixNano()))
	return b
}

// emptyTimestamp is the timestamp of the head of the empty tree, which has no event to take one from.
var emptyTimestamp = time.Unix(0, 0).UTC()

// VerifyTreeHead checks a tree head's signature under pub. It returns an error matching ErrWrongKey
// when the head names another key id, and ErrBadSignature when the signature does not verify.
// A tree head of size 0 must have EmptyRoot (CheckEmptyRoot).
func VerifyTreeHead(th TreeHead, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return badKey("public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	if id := KeyID(pub); th.KeyID != id {
		return fmt.Errorf("%w: tree head of size %d names key %q, the pinned key is %q", ErrWrongKey, th.Size, th.KeyID, id)
	}
	if !ed25519.Verify(pub, SigningBytes(th.Size, th.Root, th.Timestamp), th.Signature) {
		return fmt.Errorf("%w: tree head of size %d, root %s", ErrBadSignature, th.Size, th.Root)
	}
	return CheckEmptyRoot("tree head", th.Size, th.Root)
}
