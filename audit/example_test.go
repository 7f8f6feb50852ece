package audit_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/partnership-ledger/ledger/audit"
)

// A tree over three event hashes: the root at every size stays available, and an inclusion proof
// checks offline against the root alone.
func ExampleTree() {
	tree := audit.NewTree(0)
	for _, name := range []string{"first", "second", "third"} {
		tree.Append(sha256.Sum256([]byte(name)))
	}
	root, _ := tree.Root(3)
	path, _ := tree.InclusionProof(1, 3)
	second := sha256.Sum256([]byte("second"))
	err := audit.VerifyInclusion(1, 3, audit.LeafHash(second[:]), path, root)
	fmt.Println(len(path), err)

	older, _ := tree.Root(2)
	proof, _ := tree.ConsistencyProof(2, 3)
	fmt.Println(audit.VerifyConsistency(2, 3, older, root, proof))
	// Output:
	// 2 <nil>
	// <nil>
}

// Signing a tree head and checking it against a pinned public key given as text.
func ExampleVerifyTreeHead() {
	key := audit.KeyFromSeed(bytes.Repeat([]byte{0x01}, 32)) // a test key: use LoadOrCreateKey
	th := key.Sign(1, audit.EmptyRoot, time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC))

	pinned, _ := audit.ParsePublicKey(key.PublicText())
	fmt.Println(th.KeyID, audit.VerifyTreeHead(th, pinned))
	th.Size = 2
	fmt.Println(audit.VerifyTreeHead(th, pinned))
	// Output:
	// 34750f98bd59fcfc <nil>
	// tree head signature does not verify: tree head of size 2, root e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}
