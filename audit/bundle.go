package audit

import (
	"crypto/ed25519"
	"fmt"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Bundle is an offline proof that one event is in the ledger: the event's envelope, its leaf index
// (seq-1), the audit path to the root of a signed tree head. Anyone holding the ledger's public key can
// check it with CheckBundle, without the ledger.
//
// In JSON: {"event": {...envelope...}, "leaf_index": 41, "audit_path": ["<hex>", ...],
// "tree_head": {...}}.
type Bundle struct {
	Event     eventstore.Event `json:"event"`
	LeafIndex uint64           `json:"leaf_index"`
	AuditPath []Hash           `json:"audit_path"`
	TreeHead  TreeHead         `json:"tree_head"`
}

// Prove builds the bundle for event e in tree t under the signed tree head th (see Key.Sign; the Log
// does both). It returns an error matching ErrOutOfRange when e's seq is 0 or beyond th.Size or the
// tree, and one matching ErrTampered when the tree's leaf or root does not match e's hash or th.
func Prove(t *Tree, e eventstore.Event, th TreeHead) (Bundle, error) {
	if e.Seq == 0 || e.Seq > th.Size {
		return Bundle{}, fmt.Errorf("prove event %s: %w: seq %d is not in a tree of size %d", e.ID, ErrOutOfRange, e.Seq, th.Size)
	}
	index := e.Seq - 1
	leaf, err := t.LeafAt(index)
	if err != nil {
		return Bundle{}, fmt.Errorf("prove event %s: %w", e.ID, err)
	}
	if leaf != LeafHash(e.Hash[:]) {
		return Bundle{}, fmt.Errorf("prove event %s: %w: leaf %d of the tree is not this event's hash", e.ID, ErrTampered, index)
	}
	root, err := t.Root(th.Size)
	if err != nil {
		return Bundle{}, fmt.Errorf("prove event %s: %w", e.ID, err)
	}
	if root != th.Root {
		return Bundle{}, fmt.Errorf("prove event %s: %w: the tree's root at size %d is not the tree head's", e.ID, ErrTampered, th.Size)
	}
	path, err := t.InclusionProof(index, th.Size)
	if err != nil {
		return Bundle{}, fmt.Errorf("prove event %s: %w", e.ID, err)
	}
	return Bundle{Event: e, LeafIndex: index, AuditPath: path, TreeHead: th}, nil
}

// CheckBundle checks a proof bundle offline against a pinned public key:
//
//  1. the tree head's key id is pub's and its signature verifies (ErrWrongKey, ErrBadSignature);
//  2. the event's hash recomputes from its envelope fields and prev_hash (eventstore.ComputeHash over
//     data and sources in canonical form, so a bundle re-encoded by any JSON tool still checks)
//     (ErrTampered);
//  3. the leaf index is the event's seq-1 (ErrTampered);
//  4. the audit path leads from the event's leaf to the tree head's root (ErrInvalidProof).
//
// The error names the first check that fails.
func CheckBundle(b Bundle, pub ed25519.PublicKey) error {
	if err := VerifyTreeHead(b.TreeHead, pub); err != nil {
		return fmt.Errorf("check proof: %w", err)
	}
	return CheckBundleProof(b)
}

// CheckBundleProof is CheckBundle without its first check: the bundle's event and audit path lead to
// its tree head's root (steps 2–4), whoever signed the head. It is what can be checked of a bundle
// before a key is pinned (`ledger prove --server` without --key).
func CheckBundleProof(b Bundle) error {
	e := b.Event
	var err error
	if e.Data, err = eventstore.Canonicalize(e.Data); err != nil {
		return fmt.Errorf("check proof: %w: event data: %v", ErrTampered, err)
	}
	if e.Sources, err = eventstore.Canonicalize(e.Sources); err != nil {
		return fmt.Errorf("check proof: %w: event sources: %v", ErrTampered, err)
	}
	if got := eventstore.ComputeHash(e, e.PrevHash); got != e.Hash {
		return fmt.Errorf("check proof: %w: event %s's fields hash to %s, not its hash %s", ErrTampered, e.ID, got, e.Hash)
	}
	if e.Seq == 0 || b.LeafIndex != e.Seq-1 {
		return fmt.Errorf("check proof: %w: leaf index %d is not event seq %d - 1", ErrTampered, b.LeafIndex, e.Seq)
	}
	if err := VerifyInclusion(b.LeafIndex, b.TreeHead.Size, LeafHash(e.Hash[:]), b.AuditPath, b.TreeHead.Root); err != nil {
		return fmt.Errorf("check proof of event %s: %w", e.ID, err)
	}
	return nil
}

// Consistency is a consistency proof between two signed tree heads, as the API serves it. In JSON:
// {"from": {...}, "to": {...}, "proof": ["<hex>", ...]}, which is also a ConsistencyFile (File).
type Consistency struct {
	From  TreeHead `json:"from"`
	To    TreeHead `json:"to"`
	Proof []Hash   `json:"proof"`
}

// File is c as a ConsistencyFile, the same JSON, for CheckConsistency.
func (c Consistency) File() ConsistencyFile {
	return ConsistencyFile{From: HeadOfTree(c.From), To: HeadOfTree(c.To), Proof: c.Proof}
}
