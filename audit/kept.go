package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// SignedHead is a size and root the ledger signed, as an auditor keeps it: a TreeHead (the ledger's
// own JSON, docs/integrity.md) or a Checkpoint (C2SP tlog-checkpoint). Exactly one is set. In JSON a
// tree head is its object and a checkpoint its signed note as a string, so a ConsistencyFile of tree
// heads is the same document as the API's Consistency.
type SignedHead struct {
	TreeHead   *TreeHead
	Checkpoint *Checkpoint
}

// HeadOfTree is th as a SignedHead.
func HeadOfTree(th TreeHead) SignedHead { return SignedHead{TreeHead: &th} }

// HeadOfCheckpoint is cp as a SignedHead.
func HeadOfCheckpoint(cp Checkpoint) SignedHead { return SignedHead{Checkpoint: &cp} }

// Size is the tree size the head commits to.
func (h SignedHead) Size() uint64 {
	if h.Checkpoint != nil {
		return h.Checkpoint.Size
	}
	if h.TreeHead != nil {
		return h.TreeHead.Size
	}
	return 0
}

// Root is the Merkle root the head commits to.
func (h SignedHead) Root() Hash {
	if h.Checkpoint != nil {
		return h.Checkpoint.Root
	}
	if h.TreeHead != nil {
		return h.TreeHead.Root
	}
	return Hash{}
}

// Kind is "checkpoint" or "tree head", for people.
func (h SignedHead) Kind() string {
	if h.Checkpoint != nil {
		return "checkpoint"
	}
	return "tree head"
}

// String reads "checkpoint of size 3 (root <hex>)".
func (h SignedHead) String() string {
	return fmt.Sprintf("%s of size %d (root %s)", h.Kind(), h.Size(), h.Root())
}

// Verify checks the head's signature under pin: VerifyTreeHead for a tree head, VerifyCheckpoint for
// a checkpoint (whose note must say the size and root it was read with). Errors as those.
func (h SignedHead) Verify(pin PinnedKey) error {
	switch {
	case h.Checkpoint != nil:
		cp, err := VerifyCheckpoint(h.Checkpoint.Note, pin)
		if err != nil {
			return err
		}
		if cp.Size != h.Checkpoint.Size || cp.Root != h.Checkpoint.Root || cp.Origin != h.Checkpoint.Origin {
			return fmt.Errorf("%w: the checkpoint's note says size %d, root %s, not size %d, root %s", ErrTampered, cp.Size, cp.Root, h.Checkpoint.Size, h.Checkpoint.Root)
		}
		return nil
	case h.TreeHead != nil:
		return VerifyTreeHead(*h.TreeHead, pin.Public)
	}
	return fmt.Errorf("%w: no tree head or checkpoint", ErrBadCheckpoint)
}

// MarshalJSON writes a tree head's object, or a checkpoint's note as a JSON string.
func (h SignedHead) MarshalJSON() ([]byte, error) {
	if h.Checkpoint != nil {
		return json.Marshal(string(h.Checkpoint.Note))
	}
	return json.Marshal(h.TreeHead)
}

// UnmarshalJSON reads a tree head's object, or a checkpoint as a string (ParseCheckpoint: its
// signature is not checked here).
func (h *SignedHead) UnmarshalJSON(b []byte) error {
	*h = SignedHead{}
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil // neither: the caller says what is missing
	}
	if len(b) > 0 && b[0] == '"' {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		cp, err := ParseCheckpoint([]byte(text))
		if err != nil {
			return err
		}
		h.Checkpoint = &cp
		return nil
	}
	var th TreeHead
	if err := json.Unmarshal(b, &th); err != nil {
		return err
	}
	h.TreeHead = &th
	return nil
}

// ConsistencyFile is what `ledger consistency-proof` writes and `ledger check-consistency` checks
// offline: two signed heads of the same kind and the RFC 9162 consistency proof between them. In
// JSON: {"from": <head>, "to": <head>, "proof": ["<hex>", ...]} (SignedHead's JSON).
type ConsistencyFile struct {
	From  SignedHead `json:"from"`
	To    SignedHead `json:"to"`
	Proof []Hash     `json:"proof"`
}

// CheckConsistency checks offline that the head newer extends older: both signatures verify under
// pin (ErrWrongKey, ErrBadSignature, ErrWrongOrigin, ErrBadCheckpoint: the file is bad input), older
// is not larger (ErrOutOfRange: bad input too) and the RFC 9162 consistency proof links their roots
// (ErrInvalidProof: two signed heads that no proof links, or a proof altered). A ledger that lost or
// changed events since older was signed fails here.
func CheckConsistency(older, newer SignedHead, proof []Hash, pin PinnedKey) error {
	if err := older.Verify(pin); err != nil {
		return fmt.Errorf("check consistency: the older %s: %w", older.Kind(), err)
	}
	if err := newer.Verify(pin); err != nil {
		return fmt.Errorf("check consistency: the newer %s: %w", newer.Kind(), err)
	}
	if older.Size() > newer.Size() {
		return fmt.Errorf("check consistency: %w: the older %s is larger than the newer %s", ErrOutOfRange, older, newer)
	}
	if err := VerifyConsistency(older.Size(), newer.Size(), older.Root(), newer.Root(), proof); err != nil {
		return fmt.Errorf("check consistency: the proof does not show that the %s extends the %s: %w", newer, older, err)
	}
	return nil
}

// IsBadHead reports whether err, from CheckConsistency or SignedHead.Verify, says a head or its
// signature is wrong (bad input) rather than that the proof fails.
func IsBadHead(err error) bool {
	for _, e := range []error{ErrWrongKey, ErrBadSignature, ErrWrongOrigin, ErrBadCheckpoint, ErrBadKey, ErrOutOfRange, ErrTampered} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
