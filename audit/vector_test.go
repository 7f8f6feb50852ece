package audit_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// treeVector is the published tree and tree-head test vector of docs/integrity.md. Its one event is the
// ledger-event-v1 vector of eventstore/testdata/hash-vector.json; its key is the test key whose seed is
// 32 bytes of 0x01 (never use it for anything else).
type treeVector struct {
	KeySeed      string          `json:"key_seed"`
	PublicKey    string          `json:"public_key"`
	KeyID        string          `json:"key_id"`
	EventHash    string          `json:"event_hash"`
	Leaf         string          `json:"leaf"`
	SigningBytes string          `json:"signing_bytes"`
	TreeHead     json.RawMessage `json:"tree_head"`
	Leaves3Root  string          `json:"root_of_3_leaves"`
}

func TestTreeHeadVector(t *testing.T) {
	seed := bytes.Repeat([]byte{0x01}, 32)
	key := audit.KeyFromSeed(seed)
	h, err := eventstore.ParseHash("6f15021805313b3f4340f1531b949652f185d4a56a0aad39b74948e8256e207f")
	require.NoError(t, err)
	tree := audit.NewTree(0)
	tree.Append(h)
	root, err := tree.Root(1)
	require.NoError(t, err)
	ts := time.Date(2015, 11, 8, 9, 30, 0, 0, time.UTC)
	th := key.Sign(1, root, ts)
	thJSON, err := json.MarshalIndent(th, "  ", "  ")
	require.NoError(t, err)
	// Three leaves: the vector hash, then the hashes of two zero-filled events; just distinct values.
	tree.Append(eventstore.Hash{})
	tree.Append(eventstore.Hash{1})
	root3, err := tree.Root(3)
	require.NoError(t, err)

	got := treeVector{
		KeySeed:      hex.EncodeToString(seed),
		PublicKey:    key.PublicText(),
		KeyID:        key.ID(),
		EventHash:    h.String(),
		Leaf:         root.String(),
		SigningBytes: hex.EncodeToString(audit.SigningBytes(th.Size, th.Root, th.Timestamp)),
		TreeHead:     thJSON,
		Leaves3Root:  root3.String(),
	}
	path := filepath.Join("testdata", "tree-head-vector.json")
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var want treeVector
	require.NoError(t, json.Unmarshal(b, &want))
	var wantHead audit.TreeHead
	require.NoError(t, json.Unmarshal(want.TreeHead, &wantHead))
	assert.Equal(t, th, wantHead, "the tree head layout or signing changed: that breaks every published head")
	want.TreeHead, got.TreeHead = nil, nil
	assert.Equal(t, want, got)
	require.NoError(t, audit.VerifyTreeHead(wantHead, key.Public()))
}
