package audit

import (
	"errors"
	"fmt"

	"github.com/partnership-ledger/ledger/fault"
)

// Sentinel errors. Match them with errors.Is; typed errors (*OutOfRangeError, *MismatchError,
// *eventstore.ChainError) carry the details.
var (
	// ErrOutOfRange: a size, leaf index or seq the tree does not have (yet).
	ErrOutOfRange = errors.New("out of range")
	// ErrInvalidProof: an inclusion or consistency proof does not lead to the root it claims.
	ErrInvalidProof = errors.New("proof does not verify")
	// ErrInconsistent (with ErrInvalidProof): a consistency proof that leads to the second root from
	// another root at the first size, so the second tree is proven not to extend the first (when the
	// first size is not a power of two; a proof that fails otherwise proves nothing either way).
	ErrInconsistent = errors.New("the newer tree is proven not to extend the older")
	// ErrBadSignature: a tree head's signature does not verify under the public key.
	ErrBadSignature = errors.New("tree head signature does not verify")
	// ErrWrongKey: a tree head names another key id than the public key given to check it.
	ErrWrongKey = errors.New("tree head was signed by another key")
	// ErrTampered: an event's fields do not match its hash, or an export or bundle was altered.
	ErrTampered = errors.New("tampered")
	// ErrStoreNotEmpty: Copy and Import refuse a target store that holds events other than the
	// source's first ones (see NotEmptyError).
	ErrStoreNotEmpty = errors.New("target store is not empty")
	// ErrBadKey: a key file or public key text cannot be read.
	ErrBadKey = errors.New("bad key")
	// ErrBadExport: a line of an export file is not a JSON event envelope.
	ErrBadExport = errors.New("bad export file")
	// ErrEmptyTreeRoot: a signed checkpoint or tree head of size 0 whose root is not the empty
	// tree's (EmptyRoot): no log can have it (see CheckEmptyRoot).
	ErrEmptyTreeRoot = errors.New("a head of size 0 with another root than the empty tree's")
)

// CheckEmptyRoot is the one rule for heads of size 0 (RFC 9162 §2.1.1): the root of the empty tree is
// EmptyRoot, so a checkpoint or tree head (what: "checkpoint", "tree head") of size 0 with another
// root is invalid, whoever signed it. The error is a fault.Malformed matching ErrEmptyTreeRoot and
// ErrBadCheckpoint. ParseCheckpointText and VerifyTreeHead apply it, so every reader of a checkpoint
// or tree head (check-consistency, proof files, verify --tree-head, consistency-proof, audit follow,
// the witness) refuses such a head alike.
func CheckEmptyRoot(what string, size uint64, root Hash) error {
	if size != 0 || root == EmptyRoot {
		return nil
	}
	return &fault.Error{Kind: fault.Malformed, Err: errors.Join(ErrEmptyTreeRoot, ErrBadCheckpoint),
		Message: fmt.Sprintf("the %s of size 0 has the root %s, not the empty tree's %s: no log has it", what, root, EmptyRoot)}
}

// badKey is an error matching ErrBadKey whose message for people (fault.Malformed) says what is
// wrong with the key.
func badKey(format string, args ...any) error {
	return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf(format, args...), Err: ErrBadKey}
}
