package audit_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
	"github.com/partnership-ledger/ledger/fault"
)

const origin = "ledger.example.gov.uk/great-yarmouth-north-norfolk"

// Our checkpoints are read by the transparency-dev and Go checksum database libraries, under the
// verifier key `ledger key` prints, and our inclusion and consistency proofs verify against the
// checkpoint's root with transparency-dev/merkle's verifier.
func TestCheckpointsVerifyWithIndependentLibraries(t *testing.T) {
	key := testKey(7)
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	verifier, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	assert.Equal(t, origin, verifier.Name(), "the key name is the origin")

	events := sealedEvents(70, 3)
	tree := audit.NewTree(0)
	for size := uint64(0); size <= 70; size++ {
		if size > 0 {
			tree.Append(events[size-1].Hash)
		}
		root, err := tree.Root(size)
		require.NoError(t, err)
		signed, err := key.SignCheckpoint(origin, size, root)
		require.NoError(t, err)

		n, err := note.Open(signed, note.VerifierList(verifier))
		require.NoError(t, err, "size %d", size)
		require.Len(t, n.Sigs, 1)
		cp, rest, _, err := log.ParseCheckpoint(signed, origin, verifier)
		require.NoError(t, err, "size %d", size)
		assert.Empty(t, rest, "no extension lines")
		assert.Equal(t, size, cp.Size)
		assert.Equal(t, root[:], cp.Hash)
		assert.True(t, strings.HasPrefix(string(signed), origin+"\n"), "the origin line first")

		mine, err := audit.VerifyCheckpoint(signed, audit.PinnedKey{Public: key.Public()})
		require.NoError(t, err)
		assert.Equal(t, audit.Checkpoint{Origin: origin, Size: size, Root: root, Note: signed}, mine)

		// Every inclusion proof at this size, and every consistency proof to it.
		for i := uint64(0); i < size; i++ {
			path, err := tree.InclusionProof(i, size)
			require.NoError(t, err)
			leaf := audit.LeafHash(events[i].Hash[:])
			require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, leaf[:], hashBytes(path), cp.Hash), "leaf %d of %d", i, size)
		}
		for old := uint64(1); old <= size; old++ {
			p, err := tree.ConsistencyProof(old, size)
			require.NoError(t, err)
			oldRoot, err := tree.Root(old)
			require.NoError(t, err)
			require.NoError(t, proof.VerifyConsistency(rfc6962.DefaultHasher, old, size, hashBytes(p), oldRoot[:], cp.Hash), "%d to %d", old, size)
		}
	}
}

func hashBytes(hs []audit.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// A checkpoint signed with the same key twice is the same bytes: nothing in it changes with time.
func TestCheckpointIsDeterministic(t *testing.T) {
	key := testKey(1)
	a, err := key.SignCheckpoint(origin, 3, audit.EmptyRoot)
	require.NoError(t, err)
	b, err := key.SignCheckpoint(origin, 3, audit.EmptyRoot)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestVerifyCheckpointRefusals(t *testing.T) {
	key := testKey(2)
	root := audit.LeafHash([]byte("x"))
	signed, err := key.SignCheckpoint(origin, 5, root)
	require.NoError(t, err)
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	pinnedVKey, err := audit.ParsePinnedKey(vkey)
	require.NoError(t, err)
	assert.Equal(t, audit.PinnedKey{Public: key.Public(), Origin: origin}, pinnedVKey)
	bare, err := audit.ParsePinnedKey(key.PublicText())
	require.NoError(t, err)
	assert.Equal(t, audit.PinnedKey{Public: key.Public()}, bare)

	for _, pin := range []audit.PinnedKey{pinnedVKey, bare} {
		cp, err := audit.VerifyCheckpoint(signed, pin)
		require.NoError(t, err)
		assert.Equal(t, root, cp.Root)
	}

	otherOrigin, err := testKey(2).SignCheckpoint("ledger.example.gov.uk/elsewhere", 5, root)
	require.NoError(t, err)
	otherKey, err := testKey(3).SignCheckpoint(origin, 5, root)
	require.NoError(t, err)
	flipped := bytes.Replace(signed, []byte("\n5\n"), []byte("\n6\n"), 1)
	cases := []struct {
		name string
		text []byte
		pin  audit.PinnedKey
		want error
	}{
		{"another origin under a pinned vkey", otherOrigin, pinnedVKey, audit.ErrWrongOrigin},
		{"another key", otherKey, bare, audit.ErrWrongKey},
		{"another key, vkey", otherKey, pinnedVKey, audit.ErrWrongKey},
		{"size changed", flipped, bare, audit.ErrBadSignature},
		{"empty", nil, bare, audit.ErrBadCheckpoint},
		{"a tree head's JSON", []byte(`{"size": 5}`), bare, audit.ErrBadCheckpoint},
		{"no signatures", []byte(origin + "\n5\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"), bare, audit.ErrBadCheckpoint},
		{"too large", append(bytes.Repeat([]byte("x"), eventstore.MaxCheckpointNoteBytes), signed...), bare, audit.ErrBadCheckpoint},
	}
	for _, c := range cases {
		_, err := audit.VerifyCheckpoint(c.text, c.pin)
		assert.ErrorIs(t, err, c.want, c.name)
		assert.Equal(t, fault.Malformed, fault.KindOf(err), c.name)
		assert.NotEmpty(t, fault.Message(err), c.name)
		assert.NotContains(t, fault.Message(err), "\n", c.name)
	}

	// A root of another length, signed: our library refuses it although the signature holds.
	short, err := note.Sign(&note.Note{Text: origin + "\n5\nAAAA\n"}, signerFor(t, key))
	require.NoError(t, err)
	_, err = audit.VerifyCheckpoint(short, bare)
	assert.ErrorIs(t, err, audit.ErrBadCheckpoint)
	leading, err := note.Sign(&note.Note{Text: origin + "\n05\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"}, signerFor(t, key))
	require.NoError(t, err)
	_, err = audit.VerifyCheckpoint(leading, bare)
	assert.ErrorIs(t, err, audit.ErrBadCheckpoint, "a size with a leading zero")
}

// signerFor signs notes as the ledger does, for tests that make notes of other shapes.
func signerFor(t *testing.T, key audit.Key) note.Signer {
	t.Helper()
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return keySigner{key: key, hash: v.KeyHash()}
}

type keySigner struct {
	key  audit.Key
	hash uint32
}

func (s keySigner) Name() string    { return origin }
func (s keySigner) KeyHash() uint32 { return s.hash }
func (s keySigner) Sign(msg []byte) ([]byte, error) {
	return audit.SignForTest(s.key, msg), nil
}

func TestCosignaturesRideAlong(t *testing.T) {
	key := testKey(4)
	signed, err := key.SignCheckpoint(origin, 2, audit.EmptyRoot)
	require.NoError(t, err)
	w := storetest.TestCosignature("witness.north-norfolk.example", 0xdeadbeef, 9)
	served := audit.WithCosignatures(eventstore.Checkpoint{Size: 2, Root: audit.EmptyRoot, Note: signed, Cosignatures: []eventstore.Cosignature{w}})
	assert.True(t, bytes.HasPrefix(served, signed))
	assert.True(t, strings.HasSuffix(string(served), audit.SignatureLine(w)))
	cp, err := audit.VerifyCheckpoint(served, audit.PinnedKey{Public: key.Public()})
	require.NoError(t, err)
	assert.Equal(t, []eventstore.Cosignature{w}, cp.Cosignatures)
	back, err := audit.ParseSignatureLine(audit.SignatureLine(w))
	require.NoError(t, err)
	assert.Equal(t, w, back)
	for _, bad := range []string{"", "- w AAAA", "— w", "— w !!!", "— a+b AAAAAAAA", "— w AAAA"} {
		_, err := audit.ParseSignatureLine(bad)
		assert.ErrorIs(t, err, audit.ErrBadCheckpoint, "%q", bad)
	}
}

func TestOriginsAndPinnedKeys(t *testing.T) {
	for _, good := range []string{origin, "example.com/log42", audit.DefaultOrigin(testKey(1).ID())} {
		assert.NoError(t, audit.CheckOrigin(good), good)
	}
	for _, bad := range []string{"", "https://example.com/log", "a b", "a+b", "a\nb", strings.Repeat("x", audit.MaxOriginBytes+1), "a\u00a0b"} {
		err := audit.CheckOrigin(bad)
		assert.ErrorIs(t, err, audit.ErrWrongOrigin, "%q", bad)
		_, err = audit.VerifierKey(bad, testKey(1).Public())
		assert.Error(t, err, "%q", bad)
	}
	vkey, err := audit.VerifierKey(origin, testKey(1).Public())
	require.NoError(t, err)
	parts := strings.Split(vkey, "+")
	require.Len(t, parts, 3)
	for name, bad := range map[string]string{
		"hash altered":  parts[0] + "+00000000+" + parts[2],
		"two parts":     parts[0] + "+" + parts[2],
		"not base64":    parts[0] + "+" + parts[1] + "+!!",
		"bad origin":    "a b+" + parts[1] + "+" + parts[2],
		"other algo":    parts[0] + "+" + parts[1] + "+" + base64.StdEncoding.EncodeToString(append([]byte{2}, testKey(1).Public()...)),
		"not a key":     "nonsense",
		"short base64":  base64.StdEncoding.EncodeToString([]byte{1, 2, 3}),
		"empty":         "",
		"only a plus":   "+",
		"name and plus": "a+",
	} {
		_, err := audit.ParsePinnedKey(bad)
		assert.ErrorIs(t, err, audit.ErrBadKey, name)
	}
}

// A Checkpointer signs a checkpoint of the log as it is, then follows appends; each new one is
// stored beside the log, never in it.
func TestCheckpointerFollowsAppends(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := memstore.New(memstore.Options{})
	lg := audit.NewLog(store, testKey(5))
	go lg.Run(ctx)
	cpr, err := audit.NewCheckpointer(lg, store, origin)
	require.NoError(t, err)
	cpr.Every = time.Millisecond
	stored := make(chan eventstore.Checkpoint, 100)
	cpr.Stored = func(cp eventstore.Checkpoint) { stored <- cp }
	done := make(chan error, 1)
	go func() { done <- cpr.Run(ctx) }()

	first := <-stored
	assert.Equal(t, uint64(0), first.Size)
	_, err = store.Append(ctx, "s", eventstore.NoStream, storetest.Event("T", `{"n":1}`), storetest.Event("T", `{"n":2}`))
	require.NoError(t, err)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case cp := <-stored:
			if cp.Size < 2 {
				continue
			}
			got, err := audit.VerifyCheckpoint(cp.Note, audit.PinnedKey{Public: testKey(5).Public()})
			require.NoError(t, err)
			root, err := lg.Tree().Root(2)
			require.NoError(t, err)
			assert.Equal(t, root, got.Root)
			latest, err := cpr.Latest(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(2), latest.Size)
			h, err := store.Head(ctx)
			require.NoError(t, err)
			assert.Equal(t, uint64(2), h.Seq, "checkpoints are not events")
			cancel()
			assert.ErrorIs(t, <-done, context.Canceled)
			return
		case <-deadline:
			t.Fatal("no checkpoint of size 2 within 10 s")
		}
	}
}

// Latest signs one when none is stored; SignNow refuses to store a checkpoint under another origin
// at a size already checkpointed.
func TestCheckpointerLatestAndConflicts(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	_, err := store.Append(ctx, "s", eventstore.NoStream, storetest.Event("T", `{"n":1}`))
	require.NoError(t, err)
	lg := audit.NewLog(store, testKey(6))
	_, err = lg.CatchUp(ctx)
	require.NoError(t, err)
	cpr, err := audit.NewCheckpointer(lg, store, origin)
	require.NoError(t, err)
	cp, err := cpr.Latest(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), cp.Size)

	_, added, err := cpr.SignNow(ctx)
	require.NoError(t, err)
	assert.False(t, added, "the same checkpoint again")

	renamed, err := audit.NewCheckpointer(lg, store, "ledger.example.gov.uk/renamed")
	require.NoError(t, err)
	_, _, err = renamed.SignNow(ctx)
	assert.ErrorIs(t, err, eventstore.ErrConflict)

	_, err = audit.NewCheckpointer(lg, store, "https://bad")
	assert.ErrorIs(t, err, audit.ErrWrongOrigin)
}

// The checkpoint vector of docs/integrity.md §9: the test-only key of §3 (seed of 32 bytes of 0x01)
// signs the root of §2's one-leaf tree at size 1 under the example origin.
func TestCheckpointVector(t *testing.T) {
	key := testKey(1)
	root := audit.Hash{}
	copy(root[:], mustHex(t, "05c62251ddb70e9b7b8158f7e2cbcf8d724533096c3346303036aa77dfb1415a"))
	signed, err := key.SignCheckpoint(origin, 1, root)
	require.NoError(t, err)
	assert.Equal(t, origin+"\n1\nBcYiUd23Dpt7gVj34svPjXJFMwlsM0YwMDaqd9+xQVo=\n\n"+
		"— "+origin+" StxDwVkeM5gR4Y5VkYXKqwT/kpUl7racrkcJobB1q2Z9jxxXAcLk+zVC3Bof1zKhKBHeTX4smgYRqhuMsCgLogxzuwQ=\n", string(signed))
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	assert.Equal(t, origin+"+4adc43c1+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c", vkey)
	assert.Equal(t, "partnership-ledger/34750f98bd59fcfc", audit.DefaultOrigin(key.ID()))
}

// blockedCheckpoints is a CheckpointStore whose puts wait until released: a slow or stuck store.
type blockedCheckpoints struct {
	eventstore.CheckpointStore
	entered chan struct{}
	release chan struct{}
}

func (b *blockedCheckpoints) PutCheckpoint(ctx context.Context, cp eventstore.Checkpoint) error {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.CheckpointStore.PutCheckpoint(ctx, cp)
}

// Appends never wait for a checkpoint: with the checkpoint store stuck, events are appended and the
// log follows them; the checkpoint comes once the store answers.
func TestAppendsNeverWaitForCheckpoints(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := memstore.New(memstore.Options{})
	lg := audit.NewLog(store, testKey(3))
	go lg.Run(ctx)
	blocked := &blockedCheckpoints{CheckpointStore: store, entered: make(chan struct{}, 1), release: make(chan struct{})}
	cpr, err := audit.NewCheckpointer(lg, blocked, origin)
	require.NoError(t, err)
	cpr.Every = time.Millisecond
	stored := make(chan eventstore.Checkpoint, 10)
	cpr.Stored = func(cp eventstore.Checkpoint) { stored <- cp }
	go cpr.Run(ctx)
	<-blocked.entered // the checkpointer is stuck in its first put

	for i := range 20 {
		_, err := store.Append(ctx, "s", eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"n":%d}`, i)))
		require.NoError(t, err)
	}
	wait, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	require.NoError(t, lg.WaitFor(wait, 20), "the log follows the appends while the checkpoint store is stuck")
	close(blocked.release)
	select {
	case <-stored:
	case <-wait.Done():
		t.Fatal("no checkpoint once the store answered")
	}
}

// The ledger writes no extension lines, and reads them as C2SP tlog-checkpoint allows: a validly
// signed checkpoint with extension lines after its root verifies, its size and root read, the
// extensions ignored (docs/integrity.md §9). A size-0 checkpoint must carry the empty tree's root.
func TestCheckpointExtensionLinesAreIgnoredAndSizeZeroIsEmpty(t *testing.T) {
	key := audit.KeyFromSeed(make([]byte, 32))
	const origin = "ledger.example.gov.uk/ext"
	vkey, err := audit.VerifierKey(origin, key.Public())
	require.NoError(t, err)
	// The same key as a signed-note signer: PRIVATE+KEY+NAME+HASH+base64(0x01 ‖ seed).
	hash := strings.Split(vkey, "+")[1]
	signer, err := note.NewSigner("PRIVATE+KEY+" + origin + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, make([]byte, 32)...)))
	require.NoError(t, err)
	root := audit.Hash{3}
	text := log.Checkpoint{Origin: origin, Size: 7, Hash: root[:]}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(text) + "extension one\nextension two\n"}, signer)
	require.NoError(t, err)
	pin, err := audit.ParsePinnedKey(vkey)
	require.NoError(t, err)
	cp, err := audit.VerifyCheckpoint(signed, pin)
	require.NoError(t, err)
	assert.Equal(t, uint64(7), cp.Size)
	assert.Equal(t, root, cp.Root)

	zero, err := key.SignCheckpoint(origin, 0, audit.Hash{9})
	require.NoError(t, err)
	_, err = audit.VerifyCheckpoint(zero, pin)
	require.ErrorIs(t, err, audit.ErrEmptyTreeRoot)
	empty, err := key.SignCheckpoint(origin, 0, audit.EmptyRoot)
	require.NoError(t, err)
	_, err = audit.VerifyCheckpoint(empty, pin)
	require.NoError(t, err)
}
