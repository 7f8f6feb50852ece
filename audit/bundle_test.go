package audit_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// bundleFixture returns a tree over events and a bundle for event seq under a head of size.
func bundleFixture(t *testing.T, events []eventstore.Event, seq, size uint64, key audit.Key) audit.Bundle {
	t.Helper()
	tree := audit.NewTree(0)
	tree.AppendAll(hashesOf(events))
	root, err := tree.Root(size)
	require.NoError(t, err)
	th := key.Sign(size, root, events[size-1].RecordedAt)
	b, err := audit.Prove(tree, events[seq-1], th)
	require.NoError(t, err)
	return b
}

func TestBundleChecksOffline(t *testing.T) {
	events := sealedEvents(37, 4)
	key := testKey(1)
	for _, tc := range []struct{ seq, size uint64 }{{1, 1}, {1, 37}, {17, 37}, {37, 37}, {20, 32}} {
		b := bundleFixture(t, events, tc.seq, tc.size, key)
		require.NoError(t, audit.CheckBundle(b, key.Public()), "seq %d size %d", tc.seq, tc.size)

		// Through JSON as any tool might write it: json.Marshal escapes <, > and & inside data and
		// sources, and indentation adds whitespace; the bundle still checks.
		raw, err := json.MarshalIndent(b, "", "  ")
		require.NoError(t, err)
		var back audit.Bundle
		require.NoError(t, json.Unmarshal(raw, &back))
		require.NoError(t, audit.CheckBundle(back, key.Public()))
	}
}

func TestBundleJSONShape(t *testing.T) {
	b := bundleFixture(t, sealedEvents(5, 2), 2, 5, testKey(1))
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &fields))
	assert.ElementsMatch(t, []string{"event", "leaf_index", "audit_path", "tree_head"}, keys(fields))
	assert.JSONEq(t, `1`, string(fields["leaf_index"]))
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBundleRefusesTampering(t *testing.T) {
	events := sealedEvents(37, 4)
	key := testKey(1)
	good := bundleFixture(t, events, 17, 37, key)
	tests := []struct {
		name string
		edit func(*audit.Bundle)
		pub  []byte
		want error
	}{
		{"another key", func(*audit.Bundle) {}, testKey(2).Public(), audit.ErrWrongKey},
		{"data", func(b *audit.Bundle) { b.Event.Data = json.RawMessage(`{"amount_pence":1}`) }, nil, audit.ErrTampered},
		{"effective_on", func(b *audit.Bundle) { b.Event.EffectiveOn = "2017-01-01" }, nil, audit.ErrTampered},
		{"prev_hash", func(b *audit.Bundle) { b.Event.PrevHash[0] ^= 1 }, nil, audit.ErrTampered},
		{"resealed event", func(b *audit.Bundle) {
			b.Event.Data = json.RawMessage(`{}`)
			b.Event = eventstore.Seal(b.Event, b.Event.PrevHash)
		}, nil, audit.ErrInvalidProof},
		{"invalid data", func(b *audit.Bundle) { b.Event.Data = json.RawMessage(`{`) }, nil, audit.ErrTampered},
		{"leaf index", func(b *audit.Bundle) { b.LeafIndex++ }, nil, audit.ErrTampered},
		// seq is not hashed: moving the event to another leaf fails the audit path.
		{"seq and leaf index", func(b *audit.Bundle) { b.Event.Seq++; b.LeafIndex++ }, nil, audit.ErrInvalidProof},
		{"audit path", func(b *audit.Bundle) { b.AuditPath[2][5] ^= 1 }, nil, audit.ErrInvalidProof},
		{"short audit path", func(b *audit.Bundle) { b.AuditPath = b.AuditPath[1:] }, nil, audit.ErrInvalidProof},
		{"tree head root", func(b *audit.Bundle) { b.TreeHead.Root[0] ^= 1 }, nil, audit.ErrBadSignature},
		{"tree head size", func(b *audit.Bundle) { b.TreeHead.Size = 38 }, nil, audit.ErrBadSignature},
		{"head re-signed by another key", func(b *audit.Bundle) {
			b.TreeHead = testKey(2).Sign(b.TreeHead.Size, b.TreeHead.Root, b.TreeHead.Timestamp)
		}, nil, audit.ErrWrongKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := good
			b.AuditPath = append([]audit.Hash{}, good.AuditPath...)
			tt.edit(&b)
			pub := key.Public()
			if tt.pub != nil {
				pub = tt.pub
			}
			err := audit.CheckBundle(b, pub)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestProveRefuses(t *testing.T) {
	events := sealedEvents(10, 2)
	key := testKey(1)
	tree := audit.NewTree(0)
	tree.AppendAll(hashesOf(events))
	root, err := tree.Root(8)
	require.NoError(t, err)
	th := key.Sign(8, root, events[7].RecordedAt)

	_, err = audit.Prove(tree, events[8], th)
	assert.ErrorIs(t, err, audit.ErrOutOfRange, "event beyond the head")
	other := events[3]
	other.Hash[0] ^= 1
	_, err = audit.Prove(tree, other, th)
	assert.ErrorIs(t, err, audit.ErrTampered, "event not in the tree")
	wrong := key.Sign(8, audit.EmptyRoot, time.Time{})
	_, err = audit.Prove(tree, events[3], wrong)
	assert.ErrorIs(t, err, audit.ErrTampered, "head for another tree")
}

func TestCheckConsistency(t *testing.T) {
	events := sealedEvents(50, 3)
	key := testKey(1)
	store := withEvents(events)
	log := audit.NewLog(store, key)
	for _, e := range events {
		require.NoError(t, log.Add(e))
	}
	c, err := log.Consistency(13, 50)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(audit.HeadOfTree(c.From), audit.HeadOfTree(c.To), c.Proof, audit.PinnedKey{Public: key.Public()}))

	raw, err := json.Marshal(c)
	require.NoError(t, err)
	var back audit.Consistency
	require.NoError(t, json.Unmarshal(raw, &back))
	require.NoError(t, audit.CheckConsistency(audit.HeadOfTree(back.From), audit.HeadOfTree(back.To), back.Proof, audit.PinnedKey{Public: key.Public()}))

	// A ledger rebuilt without event 5 cannot prove it extends the old head.
	rewritten := append(append([]eventstore.Event{}, events[:4]...), events[5:]...)
	forged := audit.NewTree(0)
	forged.AppendAll(hashesOf(rewritten))
	root, err := forged.Root(49)
	require.NoError(t, err)
	newHead := key.Sign(49, root, events[49].RecordedAt)
	proof, err := forged.ConsistencyProof(13, 49)
	require.NoError(t, err)
	assert.ErrorIs(t, audit.CheckConsistency(audit.HeadOfTree(c.From), audit.HeadOfTree(newHead), proof, audit.PinnedKey{Public: key.Public()}), audit.ErrInvalidProof)

	f := c.File()
	assert.ErrorIs(t, audit.CheckConsistency(f.From, f.To, f.Proof, audit.PinnedKey{Public: testKey(2).Public()}), audit.ErrWrongKey)

	// The API's Consistency is a ConsistencyFile of tree heads, byte for byte.
	var file audit.ConsistencyFile
	require.NoError(t, json.Unmarshal(raw, &file))
	again, err := json.Marshal(file)
	require.NoError(t, err)
	assert.JSONEq(t, string(raw), string(again))
	require.NoError(t, audit.CheckConsistency(file.From, file.To, file.Proof, audit.PinnedKey{Public: key.Public()}))
	reversed := audit.CheckConsistency(audit.HeadOfTree(c.To), audit.HeadOfTree(c.From), c.Proof, audit.PinnedKey{Public: key.Public()})
	assert.ErrorIs(t, reversed, audit.ErrOutOfRange, "heads given the wrong way round are bad input")
	assert.True(t, audit.IsBadHead(reversed))
}
