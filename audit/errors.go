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
	ErrOutOfRange = errors.New("audit: out of range")
	// ErrInvalidProof: an inclusion or consistency proof does not lead to the root it claims.
	ErrInvalidProof = errors.New("audit: proof does not verify")
	// ErrBadSignature: a tree head's signature does not verify under the public key.
	ErrBadSignature = errors.New("audit: tree head signature does not verify")
	// ErrWrongKey: a tree head names another key id than the public key given to check it.
	ErrWrongKey = errors.New("audit: tree head was signed by another key")
	// ErrTampered: an event's fields do not match its hash, or an export or bundle was altered.
	ErrTampered = errors.New("audit: tampered")
	// ErrStoreNotEmpty: Copy and Import refuse a target store that holds events other than the
	// source's first ones (see NotEmptyError).
	ErrStoreNotEmpty = errors.New("audit: target store is not empty")
	// ErrBadKey: a key file or public key text cannot be read.
	ErrBadKey = errors.New("audit: bad key")
	// ErrBadExport: a line of an export file is not a JSON event envelope.
	ErrBadExport = errors.New("audit: bad export file")
)

// badKey is an error matching ErrBadKey whose message for people (fault.Malformed) says what is
// wrong with the key.
func badKey(format string, args ...any) error {
	return &fault.Error{Kind: fault.Malformed, Message: fmt.Sprintf(format, args...), Err: ErrBadKey}
}
