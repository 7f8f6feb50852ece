package audit

// AppendLeafForTest adds an already hashed leaf, so RFC test vectors over arbitrary leaf data can be
// checked against the Tree.
func (t *Tree) AppendLeafForTest(leaf Hash) uint64 { return t.appendLeaf(leaf) }
