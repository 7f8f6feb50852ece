package audit

import (
	"crypto/sha256"
	"fmt"
	"math/bits"
	"sync"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// Hash is a SHA-256 digest: an event hash, a Merkle leaf, node or root. It is eventstore.Hash, so it
// is 64 lowercase hex digits in JSON.
type Hash = eventstore.Hash

// EmptyRoot is the root of the tree with no leaves: SHA-256 of the empty string (RFC 9162 §2.1.1).
var EmptyRoot = Hash(sha256.Sum256(nil))

// LeafHash returns the Merkle leaf for data: SHA-256(0x00 ‖ data). The ledger's leaves hash an event
// hash (32 bytes); any byte string is accepted so that RFC 9162 test vectors can be checked.
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0x00})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns the interior node over two children: SHA-256(0x01 ‖ left ‖ right).
func NodeHash(left, right Hash) Hash {
	var buf [65]byte
	buf[0] = 0x01
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// Tree is an append-only Merkle tree over event hashes in seq order, exactly as RFC 9162 §2.1: the
// leaf of event seq s has index s-1 and hash LeafHash(event hash). It keeps every leaf and every
// complete subtree node (about 64 bytes per leaf), so the root at any earlier size and any proof cost
// O(log² n) node hashes at most, and Append costs O(1) amortised.
//
// A Tree is safe for concurrent use: any number of readers may call its methods while one writer
// appends. The zero Tree is an empty tree ready to use.
type Tree struct {
	mu sync.RWMutex
	// levels[k][i] is the hash of the complete subtree over leaves [i·2^k, (i+1)·2^k).
	levels [][]Hash
}

// NewTree returns an empty tree with room for about capacity leaves.
func NewTree(capacity int) *Tree {
	t := &Tree{}
	if capacity > 0 {
		t.levels = [][]Hash{make([]Hash, 0, capacity)}
	}
	return t
}

// reserve makes room for n leaves in an empty tree.
func (t *Tree) reserve(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.levels) == 0 {
		t.levels = [][]Hash{make([]Hash, 0, n)}
	}
}

// Append adds the leaf for an event hash and returns the new size.
func (t *Tree) Append(eventHash Hash) uint64 {
	return t.appendLeaf(LeafHash(eventHash[:]))
}

// AppendAll adds the leaves for several event hashes under one lock and returns the new size.
func (t *Tree) AppendAll(eventHashes []Hash) uint64 {
	leaves := make([]Hash, len(eventHashes))
	for i := range eventHashes {
		leaves[i] = LeafHash(eventHashes[i][:])
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range leaves {
		t.appendLocked(l)
	}
	return t.sizeLocked()
}

// appendLeaf adds an already hashed leaf.
func (t *Tree) appendLeaf(leaf Hash) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.appendLocked(leaf)
	return t.sizeLocked()
}

func (t *Tree) appendLocked(leaf Hash) {
	if len(t.levels) == 0 {
		t.levels = append(t.levels, nil)
	}
	t.levels[0] = append(t.levels[0], leaf)
	// Each time a level gains an even count, its last two nodes complete a subtree one level up.
	for k := 0; len(t.levels[k])%2 == 0; k++ {
		n := len(t.levels[k])
		parent := NodeHash(t.levels[k][n-2], t.levels[k][n-1])
		if k+1 == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[k+1] = append(t.levels[k+1], parent)
	}
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.sizeLocked()
}

func (t *Tree) sizeLocked() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// OutOfRangeError reports a size or leaf index the tree does not have (yet).
type OutOfRangeError struct {
	What  string // "size", "leaf index" or "first size"
	Value uint64
	Limit uint64 // the largest value allowed
}

// Error says which value is out of range and the limit.
func (e *OutOfRangeError) Error() string {
	return fmt.Sprintf("%s %d is out of range (at most %d)", e.What, e.Value, e.Limit)
}

// Is makes an *OutOfRangeError match ErrOutOfRange.
func (e *OutOfRangeError) Is(target error) bool { return target == ErrOutOfRange }

// Root returns MTH(D[0:size]), the root of the tree's first size leaves. It returns an
// *OutOfRangeError (ErrOutOfRange) when size is larger than the tree.
func (t *Tree) Root(size uint64) (Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.sizeLocked(); size > n {
		return Hash{}, &OutOfRangeError{What: "size", Value: size, Limit: n}
	}
	if size == 0 {
		return EmptyRoot, nil
	}
	return t.mth(0, size), nil
}

// LeafAt returns the leaf hash at index (seq-1): LeafHash of the event hash.
func (t *Tree) LeafAt(index uint64) (Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.sizeLocked(); index >= n {
		return Hash{}, &OutOfRangeError{What: "leaf index", Value: index, Limit: n - 1}
	}
	return t.levels[0][index], nil
}

// mth returns MTH(D[lo:hi]) for 0 ≤ lo < hi ≤ size. A range that is a complete, aligned subtree is one
// lookup; any other range splits as RFC 9162 does, at the largest power of two below its length.
func (t *Tree) mth(lo, hi uint64) Hash {
	n := hi - lo
	if n&(n-1) == 0 {
		k := bits.TrailingZeros64(n)
		if lo&(n-1) == 0 {
			return t.levels[k][lo>>k]
		}
	}
	k := splitPoint(n)
	return NodeHash(t.mth(lo, lo+k), t.mth(lo+k, hi))
}

// splitPoint returns the largest power of two smaller than n (n ≥ 2).
func splitPoint(n uint64) uint64 {
	return 1 << (bits.Len64(n-1) - 1)
}

// InclusionProof returns the audit path PATH(index, D[0:size]) of RFC 9162 §2.1.3.1 for the leaf at
// index (an event's seq-1) in the tree of the given size. It returns an *OutOfRangeError
// (ErrOutOfRange) unless index < size ≤ Size().
func (t *Tree) InclusionProof(index, size uint64) ([]Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.sizeLocked(); size > n {
		return nil, &OutOfRangeError{What: "size", Value: size, Limit: n}
	}
	if index >= size {
		return nil, &OutOfRangeError{What: "leaf index", Value: index, Limit: max(size, 1) - 1}
	}
	path := make([]Hash, 0, bits.Len64(size))
	return t.path(path, index, 0, size), nil
}

// path appends PATH(m, D[lo:hi]), deepest sibling first.
func (t *Tree) path(out []Hash, m, lo, hi uint64) []Hash {
	n := hi - lo
	if n == 1 {
		return out
	}
	k := splitPoint(n)
	if m < k {
		out = t.path(out, m, lo, lo+k)
		return append(out, t.mth(lo+k, hi))
	}
	out = t.path(out, m-k, lo+k, hi)
	return append(out, t.mth(lo, lo+k))
}

// ConsistencyProof returns PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1: the nodes that show the
// tree of size second extends the tree of size first. The proof is empty when first is 0 or equals
// second. It returns an *OutOfRangeError (ErrOutOfRange) unless first ≤ second ≤ Size().
func (t *Tree) ConsistencyProof(first, second uint64) ([]Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.sizeLocked(); second > n {
		return nil, &OutOfRangeError{What: "size", Value: second, Limit: n}
	}
	if first > second {
		return nil, &OutOfRangeError{What: "first size", Value: first, Limit: second}
	}
	if first == 0 || first == second {
		return []Hash{}, nil
	}
	out := make([]Hash, 0, 2*bits.Len64(second))
	return t.subproof(out, first, 0, second, true), nil
}

// subproof appends SUBPROOF(m, D[lo:hi], b).
func (t *Tree) subproof(out []Hash, m, lo, hi uint64, b bool) []Hash {
	n := hi - lo
	if m == n {
		if b {
			return out
		}
		return append(out, t.mth(lo, hi))
	}
	k := splitPoint(n)
	if m <= k {
		out = t.subproof(out, m, lo, lo+k, b)
		return append(out, t.mth(lo+k, hi))
	}
	out = t.subproof(out, m-k, lo+k, hi, false)
	return append(out, t.mth(lo, lo+k))
}

// VerifyInclusion checks an audit path offline as RFC 9162 §2.1.3.2 does: that the leaf hash at index
// is in the tree of the given size with the given root. It returns an error matching ErrInvalidProof
// when the proof does not verify.
func VerifyInclusion(index, size uint64, leaf Hash, path []Hash, root Hash) error {
	if index >= size {
		return fmt.Errorf("%w: leaf index %d is not below tree size %d", ErrInvalidProof, index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return fmt.Errorf("%w: audit path is longer than a tree of size %d needs", ErrInvalidProof, size)
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("%w: audit path is shorter than a tree of size %d needs", ErrInvalidProof, size)
	}
	if r != root {
		return fmt.Errorf("%w: audit path leads to root %s, not %s", ErrInvalidProof, r, root)
	}
	return nil
}

// VerifyConsistency checks a consistency proof offline as RFC 9162 §2.1.4.2 does: that the tree of
// size second with root secondRoot extends the tree of size first with root firstRoot. Size 0 is
// consistent with everything (the proof must be empty), and equal sizes need equal roots and an empty
// proof. It returns an error matching ErrInvalidProof when the proof does not verify.
func VerifyConsistency(first, second uint64, firstRoot, secondRoot Hash, proof []Hash) error {
	switch {
	case first > second:
		return fmt.Errorf("%w: first size %d is larger than second size %d", ErrInvalidProof, first, second)
	case first == 0:
		if len(proof) != 0 {
			return fmt.Errorf("%w: a proof from size 0 must be empty", ErrInvalidProof)
		}
		return nil
	case first == second:
		if len(proof) != 0 {
			return fmt.Errorf("%w: a proof between equal sizes must be empty", ErrInvalidProof)
		}
		if firstRoot != secondRoot {
			return fmt.Errorf("%w: two trees of size %d have different roots", ErrInvalidProof, first)
		}
		return nil
	}
	if len(proof) == 0 {
		return fmt.Errorf("%w: empty consistency proof", ErrInvalidProof)
	}
	if first&(first-1) == 0 {
		proof = append([]Hash{firstRoot}, proof...)
	}
	fn, sn := first-1, second-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return fmt.Errorf("%w: consistency proof is longer than needed", ErrInvalidProof)
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return fmt.Errorf("%w: consistency proof is shorter than needed", ErrInvalidProof)
	}
	if sr != secondRoot {
		return fmt.Errorf("%w: proof does not lead to the second root %s", ErrInvalidProof, secondRoot)
	}
	if fr != firstRoot {
		// The proof does lead to the second root, from another first root: the second tree's own
		// proof shows that its first `first` leaves are not the ones firstRoot commits to.
		return fmt.Errorf("%w: %w: the proof leads to the second root from the root %s at size %d, not %s", ErrInvalidProof, ErrInconsistent, fr, first, firstRoot)
	}
	return nil
}

// Fault describes the value out of range for people (fault.NotFound: the tree has no such size or
// leaf yet).
func (e *OutOfRangeError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.NotFound, Message: fmt.Sprintf("%s %d is out of range (at most %d)", e.What, e.Value, e.Limit)}
}
