package audit_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

func FuzzReadExport(f *testing.F) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range sealedEvents(3, 2) {
		require.NoError(f, enc.Encode(e))
	}
	f.Add(buf.Bytes())
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"id":"x"}`))
	f.Add([]byte{0xff, '\n', '{'})
	f.Fuzz(func(t *testing.T, in []byte) {
		n := 0
		for e, err := range audit.ReadExport(bytes.NewReader(in)) {
			if err != nil {
				require.ErrorIs(t, err, audit.ErrBadExport)
				require.Zero(t, e.Seq)
				continue
			}
			n++
			// Whatever decodes re-encodes and decodes to the same envelope.
			var again bytes.Buffer
			enc := json.NewEncoder(&again)
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(e))
			for back, err := range audit.ReadExport(&again) {
				require.NoError(t, err)
				require.Equal(t, eventstore.ComputeHash(e, e.PrevHash), eventstore.ComputeHash(back, back.PrevHash))
			}
		}
		require.LessOrEqual(t, n, bytes.Count(in, []byte("\n"))+1)
	})
}

func FuzzCheckBundle(f *testing.F) {
	key := testKey(1)
	events := sealedEvents(9, 2)
	tree := audit.NewTree(0)
	tree.AppendAll(hashesOf(events))
	root, err := tree.Root(9)
	require.NoError(f, err)
	b, err := audit.Prove(tree, events[4], key.Sign(9, root, events[8].RecordedAt))
	require.NoError(f, err)
	good, err := json.Marshal(b)
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"event":{},"leaf_index":0,"audit_path":[],"tree_head":{}}`))
	f.Add([]byte(`{"leaf_index":18446744073709551615,"tree_head":{"size":18446744073709551615}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var b audit.Bundle
		if json.Unmarshal(in, &b) != nil {
			return
		}
		err := audit.CheckBundle(b, key.Public())
		if err == nil {
			// Only a bundle for the real event under a real head can pass.
			require.Equal(t, events[b.Event.Seq-1].Hash, b.Event.Hash)
		}
	})
}
