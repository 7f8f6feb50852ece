package audit

import "crypto/ed25519"

// AppendLeafForTest adds an already hashed leaf, so RFC test vectors over arbitrary leaf data can be
// checked against the Tree.
func (t *Tree) AppendLeafForTest(leaf Hash) uint64 { return t.appendLeaf(leaf) }

// SignForTest signs msg with k's private key, for tests that make signed notes of other shapes.
func SignForTest(k Key, msg []byte) []byte { return ed25519.Sign(k.priv, msg) }
