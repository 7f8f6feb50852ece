package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
	"github.com/partnership-ledger/ledger/fault"
)

// FuzzVerifyCheckpoint: no text crashes the checkpoint reader; every refusal is one of its errors,
// for people; what it accepts is signed by the key and re-signs to the same first lines.
func FuzzVerifyCheckpoint(f *testing.F) {
	key := testKey(8)
	signed, err := key.SignCheckpoint(origin, 12, audit.LeafHash([]byte("r")))
	require.NoError(f, err)
	f.Add(signed)
	f.Add(audit.WithCosignatures(eventstore.Checkpoint{Note: signed, Cosignatures: []eventstore.Cosignature{storetest.TestCosignature("w", 1, 2)}}))
	f.Add(bytes.Replace(signed, []byte("12"), []byte("012"), 1))
	f.Add([]byte(origin + "\n\n\n\n"))
	f.Add([]byte("\n"))
	pin := audit.PinnedKey{Public: key.Public()}
	f.Fuzz(func(t *testing.T, in []byte) {
		parsed, perr := audit.ParseCheckpoint(in)
		if perr != nil {
			require.ErrorIs(t, perr, audit.ErrBadCheckpoint)
		}
		cp, err := audit.VerifyCheckpoint(in, pin)
		if err == nil {
			require.NoError(t, perr, "what verifies also parses")
			require.Equal(t, cp.Size, parsed.Size)
			require.Equal(t, cp.Root, parsed.Root)
		}
		if err != nil {
			if !errors.Is(err, audit.ErrBadCheckpoint) && !errors.Is(err, audit.ErrWrongKey) && !errors.Is(err, audit.ErrBadSignature) {
				t.Fatalf("unexpected kind of error %v", err)
			}
			require.Equal(t, fault.Malformed, fault.KindOf(err))
			return
		}
		again, err := key.SignCheckpoint(cp.Origin, cp.Size, cp.Root)
		require.NoError(t, err)
		body, _, _ := bytes.Cut(again, []byte("\n\n"))
		require.True(t, bytes.HasPrefix(in, body), "an accepted checkpoint is the one the key signs")
	})
}

// FuzzParsePinnedKey: no --key text crashes; what is accepted is an Ed25519 key, and a verifier key
// round-trips.
func FuzzParsePinnedKey(f *testing.F) {
	vkey, err := audit.VerifierKey(origin, testKey(1).Public())
	require.NoError(f, err)
	f.Add(vkey)
	f.Add(testKey(1).PublicText())
	f.Add("a+b+c")
	f.Add("+")
	f.Fuzz(func(t *testing.T, in string) {
		pin, err := audit.ParsePinnedKey(in)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrBadKey)
			return
		}
		require.Len(t, pin.Public, 32)
		if pin.Origin != "" {
			again, err := audit.VerifierKey(pin.Origin, pin.Public)
			require.NoError(t, err)
			back, err := audit.ParsePinnedKey(again)
			require.NoError(t, err)
			require.Equal(t, pin, back)
		}
	})
}

// FuzzParseSignatureLine: no line crashes; an accepted one formats back to itself and a store takes it.
func FuzzParseSignatureLine(f *testing.F) {
	f.Add(audit.SignatureLine(storetest.TestCosignature("witness.example/w1", 7, 3)))
	f.Add("— w AAAA")
	f.Add("— ")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := audit.ParseSignatureLine(in)
		if err != nil {
			require.ErrorIs(t, err, audit.ErrBadCheckpoint)
			return
		}
		require.NoError(t, eventstore.CheckCosignature(1, c))
		back, err := audit.ParseSignatureLine(audit.SignatureLine(c))
		require.NoError(t, err)
		require.Equal(t, c, back)
	})
}

// FuzzConsistencyFile: no proof file crashes its reader or CheckConsistency; a refusal is an error,
// and what passes links two heads the key signed.
func FuzzConsistencyFile(f *testing.F) {
	key := testKey(9)
	tree := audit.NewTree(0)
	for _, e := range sealedEvents(5, 2) {
		tree.Append(e.Hash)
	}
	r2, err := tree.Root(2)
	require.NoError(f, err)
	r5, err := tree.Root(5)
	require.NoError(f, err)
	a, err := key.SignCheckpoint(origin, 2, r2)
	require.NoError(f, err)
	b, err := key.SignCheckpoint(origin, 5, r5)
	require.NoError(f, err)
	pa, err := audit.ParseCheckpoint(a)
	require.NoError(f, err)
	pb, err := audit.ParseCheckpoint(b)
	require.NoError(f, err)
	proof, err := tree.ConsistencyProof(2, 5)
	require.NoError(f, err)
	good, err := json.Marshal(audit.ConsistencyFile{From: audit.HeadOfCheckpoint(pa), To: audit.HeadOfCheckpoint(pb), Proof: proof})
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte(`{"from":null,"to":{"size":1},"proof":[]}`))
	f.Add([]byte(`{"from":"x\n1\nAAAA\n\n","to":"","proof":["00"]}`))
	pin := audit.PinnedKey{Public: key.Public()}
	f.Fuzz(func(t *testing.T, in []byte) {
		var cf audit.ConsistencyFile
		if json.Unmarshal(in, &cf) != nil {
			return
		}
		if err := audit.CheckConsistency(cf.From, cf.To, cf.Proof, pin); err == nil {
			require.NoError(t, cf.From.Verify(pin))
			require.NoError(t, cf.To.Verify(pin))
			require.LessOrEqual(t, cf.From.Size(), cf.To.Size())
		}
	})
}
