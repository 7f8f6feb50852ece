package reviewpack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

const packOrigin = "ledger.example.gov.uk/pack-test"

// cosign adds a (placeholder) witness cosignature to the stored checkpoint of size: Build reads only
// whether Source.Witnessed counts it.
func cosign(t *testing.T, cs eventstore.CheckpointStore, size uint64) {
	t.Helper()
	cp, err := cs.CheckpointAt(context.Background(), size)
	require.NoError(t, err)
	_, err = cs.PutCosignature(context.Background(), size, cp.Root, eventstore.Cosignature{Name: "witness.example/w1", Signature: bytes.Repeat([]byte{7}, 76)})
	require.NoError(t, err)
}

// storeCheckpoints signs and stores the log's checkpoints of sizes.
func storeCheckpoints(t *testing.T, src reviewpack.Source, cs eventstore.CheckpointStore, sizes ...uint64) {
	t.Helper()
	for _, n := range sizes {
		cp, err := src.Log.Checkpoint(packOrigin, n)
		require.NoError(t, err)
		require.NoError(t, cs.PutCheckpoint(context.Background(), cp))
	}
}

func packJSON(t *testing.T, p *reviewpack.Pack) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, p.Render("json", &b))
	return b.Bytes()
}

// A pack embeds the oldest stored checkpoint that covers its tree head and has the witnesses'
// quorum, with its cosignatures and the consistency proof to it; a rebuild after later checkpoints
// embeds the same bytes; without one it embeds the ledger's checkpoint at its own size, saying it has
// no witness quorum yet. VerifyDir checks the checkpoint and refuses one altered.
func TestPackEmbedsTheOldestWitnessedCheckpoint(t *testing.T) {
	ctx := context.Background()
	all := wholeLedger(t)
	n := uint64(len(all))
	k := n - 3 // the pack's known-at cut
	opts := reviewpack.Options{Partnership: slug, AsOf: domain.MustDate("2016-06-30"), KnownAt: projections.KnownAtSeq(k)}
	src := source(t, all)
	cs := memstore.New(memstore.Options{})
	src.Checkpoints, src.Origin = cs, packOrigin
	src.Witnessed = func(cp eventstore.Checkpoint) bool { return len(cp.Cosignatures) > 0 }
	storeCheckpoints(t, src, cs, k-1, k+1, k+2)
	cosign(t, cs, k-1) // witnessed, but does not cover the pack
	cosign(t, cs, k+2)

	p, err := reviewpack.Build(ctx, src, opts)
	require.NoError(t, err)
	require.Equal(t, k, p.Evidence.TreeHead.Size)
	pc := p.Evidence.Checkpoint
	require.NotNil(t, pc)
	assert.True(t, pc.Witnessed)
	cp, err := audit.ParseCheckpoint([]byte(pc.Note))
	require.NoError(t, err)
	assert.Equal(t, k+2, cp.Size, "the oldest witnessed checkpoint covering size %d", k)
	assert.Contains(t, pc.Note, "— witness.example/w1 ", "with its cosignature")
	assert.NotEmpty(t, pc.Proof)
	require.NotNil(t, p.Report.Checkpoint)
	assert.Contains(t, p.Report.Checkpoint.Sentence, "extends the tree head above")
	assert.Contains(t, p.Report.Checkpoint.Sentence, "one cosignature of the ledger's witnesses")
	first := packJSON(t, p)

	storeCheckpoints(t, src, cs, n)
	cosign(t, cs, n)
	again, err := reviewpack.Build(ctx, src, opts)
	require.NoError(t, err)
	assert.Equal(t, first, packJSON(t, again), "a later rebuild embeds the same bytes")

	dir := t.TempDir()
	_, err = reviewpack.WriteDir(p, dir, reviewpack.Formats)
	require.NoError(t, err)
	v, err := reviewpack.VerifyDir(ctx, dir, testKey().Public())
	require.NoError(t, err)
	require.NotNil(t, v.Checkpoint)
	assert.Equal(t, pc.Note, v.Checkpoint.Note)
	for name, alter := range map[string]func(ev map[string]any){
		"proof": func(ev map[string]any) {
			ev["checkpoint"].(map[string]any)["consistency_proof"] = []string{strings.Repeat("00", 32)}
		},
		"note": func(ev map[string]any) {
			ev["checkpoint"].(map[string]any)["note"] = strings.Replace(pc.Note, "\n", "\n ", 1)
		},
		"origin": func(ev map[string]any) {
			ev["checkpoint"].(map[string]any)["note"] = strings.Replace(pc.Note, "pack-test", "pack-tost", 1)
		},
	} {
		alteredDir := t.TempDir()
		_, err = reviewpack.WriteDir(p, alteredDir, []string{"json"})
		require.NoError(t, err)
		path := filepath.Join(alteredDir, reviewpack.FileName("json"))
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var f map[string]any
		require.NoError(t, json.Unmarshal(b, &f))
		alter(f)
		b, err = json.Marshal(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, b, 0o644))
		_, err = reviewpack.VerifyDir(ctx, alteredDir, testKey().Public())
		var refused *reviewpack.RefusedError
		require.ErrorAs(t, err, &refused, name)
		assert.Contains(t, strings.Join(refused.Problems, "; "), "checkpoint", name)
	}

	// No quorum anywhere: the ledger's checkpoint at the pack's own size, saying so.
	src.Witnessed = nil
	bare, err := reviewpack.Build(ctx, src, opts)
	require.NoError(t, err)
	require.NotNil(t, bare.Evidence.Checkpoint)
	assert.False(t, bare.Evidence.Checkpoint.Witnessed)
	assert.Empty(t, bare.Evidence.Checkpoint.Proof)
	own, err := audit.VerifyCheckpoint([]byte(bare.Evidence.Checkpoint.Note), audit.PinnedKey{Public: testKey().Public()})
	require.NoError(t, err)
	assert.Equal(t, k, own.Size)
	assert.Empty(t, own.Cosignatures)
	assert.Contains(t, bare.Report.Checkpoint.Sentence, "It has no witness quorum yet")
	assert.Contains(t, bare.Report.HowToVerify[len(bare.Report.HowToVerify)-1], "--witness VKEY --quorum N")
	assert.Contains(t, bare.Report.HowToVerify[len(bare.Report.HowToVerify)-1], "had no witness quorum yet")
	var md bytes.Buffer
	require.NoError(t, bare.Render("md", &md))
	assert.Contains(t, md.String(), "It has no witness quorum yet")
	bareAgain, err := reviewpack.Build(ctx, src, opts)
	require.NoError(t, err)
	assert.Equal(t, packJSON(t, bare), packJSON(t, bareAgain), "reproducible without a quorum too")

	// A stored checkpoint of another history is not embedded: the build fails, naming it.
	src.Witnessed = func(eventstore.Checkpoint) bool { return true }
	forked := memstore.New(memstore.Options{})
	root := audit.Hash{1}
	note, err := testKey().SignCheckpoint(packOrigin, k, root)
	require.NoError(t, err)
	require.NoError(t, forked.PutCheckpoint(ctx, eventstore.Checkpoint{Size: k, Root: root, Note: note}))
	src.Checkpoints = forked
	_, err = reviewpack.Build(ctx, src, opts)
	assert.ErrorIs(t, err, audit.ErrTampered)
}
