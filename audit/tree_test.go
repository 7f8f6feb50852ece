package audit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
)

// The naive definitions of RFC 9162 §2.1, written independently of the Tree.

func k(n int) int { // largest power of two < n, n ≥ 2
	p := 1
	for p*2 < n {
		p *= 2
	}
	return p
}

func naiveMTH(leaves []audit.Hash) audit.Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	s := k(len(leaves))
	return audit.NodeHash(naiveMTH(leaves[:s]), naiveMTH(leaves[s:]))
}

func naivePath(m int, leaves []audit.Hash) []audit.Hash {
	if len(leaves) <= 1 {
		return nil
	}
	s := k(len(leaves))
	if m < s {
		return append(naivePath(m, leaves[:s]), naiveMTH(leaves[s:]))
	}
	return append(naivePath(m-s, leaves[s:]), naiveMTH(leaves[:s]))
}

func naiveSubproof(m int, leaves []audit.Hash, b bool) []audit.Hash {
	n := len(leaves)
	if m == n {
		if b {
			return nil
		}
		return []audit.Hash{naiveMTH(leaves)}
	}
	s := k(n)
	if m <= s {
		return append(naiveSubproof(m, leaves[:s], b), naiveMTH(leaves[s:]))
	}
	return append(naiveSubproof(m-s, leaves[s:], false), naiveMTH(leaves[:s]))
}

func testLeaves(n int) (eventHashes, leaves []audit.Hash) {
	for i := range n {
		h := audit.Hash(sha256.Sum256([]byte(fmt.Sprintf("event %d", i))))
		eventHashes = append(eventHashes, h)
		leaves = append(leaves, audit.LeafHash(h[:]))
	}
	return eventHashes, leaves
}

func TestTreeMatchesNaiveDefinition(t *testing.T) {
	const maxSize = 70
	eventHashes, leaves := testLeaves(maxSize)
	tree := audit.NewTree(0)
	for n := 0; n <= maxSize; n++ {
		if n > 0 {
			require.Equal(t, uint64(n), tree.Append(eventHashes[n-1]))
		}
		// Every earlier size stays answerable as the tree grows.
		for size := 0; size <= n; size++ {
			root, err := tree.Root(uint64(size))
			require.NoError(t, err)
			require.Equal(t, naiveMTH(leaves[:size]), root, "root at size %d of %d", size, n)
		}
	}
	for size := 1; size <= maxSize; size++ {
		root := naiveMTH(leaves[:size])
		for m := 0; m < size; m++ {
			path, err := tree.InclusionProof(uint64(m), uint64(size))
			require.NoError(t, err)
			want := naivePath(m, leaves[:size])
			require.Equal(t, len(want), len(path), "path length for %d in %d", m, size)
			if len(want) > 0 {
				require.Equal(t, want, path, "path for %d in %d", m, size)
			}
			require.NoError(t, audit.VerifyInclusion(uint64(m), uint64(size), leaves[m], path, root), "verify %d in %d", m, size)
			// The same path does not prove another leaf or another root.
			other := leaves[(m+1)%size]
			if size > 1 {
				require.ErrorIs(t, audit.VerifyInclusion(uint64(m), uint64(size), other, path, root), audit.ErrInvalidProof)
			}
			badRoot := root
			badRoot[31] ^= 0x80
			require.ErrorIs(t, audit.VerifyInclusion(uint64(m), uint64(size), leaves[m], path, badRoot), audit.ErrInvalidProof)
			if size > 1 {
				require.ErrorIs(t, audit.VerifyInclusion(uint64(m), uint64(size), leaves[m], path[:len(path)-1], root), audit.ErrInvalidProof)
				require.ErrorIs(t, audit.VerifyInclusion(uint64(m), uint64(size), leaves[m], append(path, root), root), audit.ErrInvalidProof)
			}
		}
	}
	for second := 1; second <= maxSize; second++ {
		for first := 0; first <= second; first++ {
			proof, err := tree.ConsistencyProof(uint64(first), uint64(second))
			require.NoError(t, err)
			var want []audit.Hash
			if first > 0 && first < second {
				want = naiveSubproof(first, leaves[:second], true)
			}
			require.Equal(t, len(want), len(proof), "proof length %d→%d", first, second)
			if len(want) > 0 {
				require.Equal(t, want, proof, "proof %d→%d", first, second)
			}
			r1, r2 := naiveMTH(leaves[:first]), naiveMTH(leaves[:second])
			require.NoError(t, audit.VerifyConsistency(uint64(first), uint64(second), r1, r2, proof), "verify %d→%d", first, second)
			if first > 0 && first < second {
				bad := r1
				bad[0] ^= 1
				require.ErrorIs(t, audit.VerifyConsistency(uint64(first), uint64(second), bad, r2, proof), audit.ErrInvalidProof)
				require.ErrorIs(t, audit.VerifyConsistency(uint64(first), uint64(second), r1, bad, proof), audit.ErrInvalidProof)
				require.ErrorIs(t, audit.VerifyConsistency(uint64(first), uint64(second), r1, r2, proof[:len(proof)-1]), audit.ErrInvalidProof)
				require.ErrorIs(t, audit.VerifyConsistency(uint64(first), uint64(second), r1, r2, append(proof, r1)), audit.ErrInvalidProof)
			}
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// TestRFC6962Vectors checks the tree against the reference roots published with the Certificate
// Transparency implementation (RFC 6962 §2.1 and RFC 9162 §2.1 define the same tree).
func TestRFC6962Vectors(t *testing.T) {
	leafData := []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	roots := []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	tree := audit.NewTree(0)
	root, err := tree.Root(0)
	require.NoError(t, err)
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", root.String())
	for i, d := range leafData {
		tree.AppendLeafForTest(audit.LeafHash(mustHex(t, d)))
		root, err := tree.Root(uint64(i + 1))
		require.NoError(t, err)
		assert.Equal(t, roots[i], root.String(), "root at size %d", i+1)
	}
	// Every earlier root still answers, and every consistency proof between them verifies.
	for second := 1; second <= len(roots); second++ {
		for first := 1; first <= second; first++ {
			proof, err := tree.ConsistencyProof(uint64(first), uint64(second))
			require.NoError(t, err)
			r1, r2 := mustHex(t, roots[first-1]), mustHex(t, roots[second-1])
			require.NoError(t, audit.VerifyConsistency(uint64(first), uint64(second), audit.Hash(r1), audit.Hash(r2), proof))
		}
	}
}

func TestTreeOutOfRange(t *testing.T) {
	eventHashes, _ := testLeaves(5)
	tree := audit.NewTree(0)
	tree.AppendAll(eventHashes)
	tests := []struct {
		name string
		call func() error
	}{
		{"root beyond size", func() error { _, err := tree.Root(6); return err }},
		{"leaf beyond size", func() error { _, err := tree.LeafAt(5); return err }},
		{"inclusion size beyond tree", func() error { _, err := tree.InclusionProof(0, 6); return err }},
		{"inclusion index not below size", func() error { _, err := tree.InclusionProof(3, 3); return err }},
		{"consistency beyond tree", func() error { _, err := tree.ConsistencyProof(1, 6); return err }},
		{"consistency first > second", func() error { _, err := tree.ConsistencyProof(4, 3); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.ErrorIs(t, err, audit.ErrOutOfRange)
			var oe *audit.OutOfRangeError
			assert.ErrorAs(t, err, &oe)
		})
	}
}

func TestVerifyRejectsMalformedProofs(t *testing.T) {
	leaf := audit.LeafHash([]byte("x"))
	tests := []struct {
		name string
		err  error
	}{
		{"index not below size", audit.VerifyInclusion(3, 3, leaf, nil, leaf)},
		{"single leaf with a path", audit.VerifyInclusion(0, 1, leaf, []audit.Hash{leaf}, leaf)},
		{"two leaves without a path", audit.VerifyInclusion(0, 2, leaf, nil, leaf)},
		{"consistency first > second", audit.VerifyConsistency(3, 2, leaf, leaf, []audit.Hash{leaf})},
		{"consistency from 0 with a proof", audit.VerifyConsistency(0, 2, leaf, leaf, []audit.Hash{leaf})},
		{"consistency equal sizes, other roots", audit.VerifyConsistency(2, 2, leaf, audit.EmptyRoot, nil)},
		{"consistency equal sizes with a proof", audit.VerifyConsistency(2, 2, leaf, leaf, []audit.Hash{leaf})},
		{"consistency empty proof", audit.VerifyConsistency(1, 2, leaf, leaf, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.err, audit.ErrInvalidProof)
		})
	}
	assert.NoError(t, audit.VerifyInclusion(0, 1, leaf, nil, leaf), "a one-leaf tree's root is its leaf")
	assert.NoError(t, audit.VerifyConsistency(2, 2, leaf, leaf, nil))
}

func TestTreeConcurrentReaders(t *testing.T) {
	eventHashes, leaves := testLeaves(2000)
	tree := audit.NewTree(0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, h := range eventHashes {
			tree.Append(h)
		}
	}()
	checked := 0
	for finished := false; ; {
		select {
		case <-done:
			finished = true // one more round, over the whole tree
		default:
		}
		n := tree.Size()
		if n > 0 {
			root, err := tree.Root(n)
			require.NoError(t, err)
			path, err := tree.InclusionProof(n/2, n)
			require.NoError(t, err)
			require.NoError(t, audit.VerifyInclusion(n/2, n, leaves[n/2], path, root))
			checked++
		}
		if finished {
			assert.Equal(t, uint64(2000), n)
			assert.Positive(t, checked)
			return
		}
	}
}
