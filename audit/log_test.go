package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

func TestLogFollowsStore(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := newMemStore()
	first := recordSome(t, store, 5)
	key := testKey(3)
	log := audit.NewLog(store, key)

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- log.Run(runCtx) }()

	require.NoError(t, log.WaitFor(ctx, 5))
	later := recordSome(t, store, 20)
	require.NoError(t, log.WaitFor(ctx, 25))
	assert.Equal(t, uint64(25), log.Size())
	all := append(first, later...)

	// Tree heads: the timestamp is the recorded_at of event size, so a head is the same bytes every time.
	th, err := log.TreeHead(10)
	require.NoError(t, err)
	require.NoError(t, audit.VerifyTreeHead(th, key.Public()))
	assert.True(t, all[9].RecordedAt.Equal(th.Timestamp))
	again, err := log.TreeHead(10)
	require.NoError(t, err)
	assert.Equal(t, th, again)
	empty, err := log.TreeHead(0)
	require.NoError(t, err)
	assert.Equal(t, audit.EmptyRoot, empty.Root)
	assert.Equal(t, int64(0), empty.Timestamp.UnixNano())
	_, err = log.TreeHead(26)
	assert.ErrorIs(t, err, audit.ErrOutOfRange)
	assert.Equal(t, uint64(25), log.LatestTreeHead().Size)

	rep, err := audit.Verify(ctx, store, nil)
	require.NoError(t, err)
	assert.Equal(t, rep.Root, log.LatestTreeHead().Root)

	// Proofs by id and by seq check offline.
	b, err := log.Prove(ctx, all[7].ID)
	require.NoError(t, err)
	require.NoError(t, audit.CheckBundle(b, key.Public()))
	assert.Equal(t, uint64(25), b.TreeHead.Size)
	b, err = log.ProveSeq(ctx, 3, 10)
	require.NoError(t, err)
	require.NoError(t, audit.CheckBundle(b, key.Public()))
	_, err = log.Prove(ctx, eventstore.NewID())
	assert.ErrorIs(t, err, eventstore.ErrNotFound)
	_, err = log.ProveSeq(ctx, 11, 10)
	assert.ErrorIs(t, err, audit.ErrOutOfRange)

	path, err := log.InclusionProof(4, 25)
	require.NoError(t, err)
	leaf := audit.LeafHash(all[3].Hash[:])
	require.NoError(t, audit.VerifyInclusion(3, 25, leaf, path, rep.Root))
	_, err = log.InclusionProof(0, 25)
	assert.ErrorIs(t, err, audit.ErrOutOfRange)

	c, err := log.Consistency(5, 25)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(audit.HeadOfTree(c.From), audit.HeadOfTree(c.To), c.Proof, audit.PinnedKey{Public: key.Public()}))
	proof, err := log.ConsistencyProof(5, 25)
	require.NoError(t, err)
	assert.Equal(t, c.Proof, proof)

	seq, ok := log.Seq(all[20].ID)
	assert.True(t, ok)
	assert.Equal(t, uint64(21), seq)

	stop()
	assert.ErrorIs(t, <-ran, context.Canceled)
}

func TestLogWaitForHonoursContext(t *testing.T) {
	log := audit.NewLog(newMemStore(), testKey(1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, log.WaitFor(ctx, 1), context.Canceled)
	assert.NoError(t, log.WaitFor(ctx, 0), "seq 0 is always reached")
}

func TestLogRefusesGaps(t *testing.T) {
	events := sealedEvents(3, 1)
	log := audit.NewLog(newMemStore(), testKey(1))
	require.NoError(t, log.Add(events[0]))
	assert.ErrorIs(t, log.Add(events[2]), audit.ErrTampered)
	assert.Equal(t, uint64(1), log.Size())
}

func TestLogCatchUp(t *testing.T) {
	ctx := context.Background()
	store := withEvents(sealedEvents(40, 3))
	key := testKey(4)
	log := audit.NewLog(store, key)
	n, err := log.CatchUp(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(40), n)
	rep, err := audit.Verify(ctx, store, nil)
	require.NoError(t, err)
	assert.Equal(t, rep.Root, log.LatestTreeHead().Root)

	recordSome(t, store, 2)
	n, err = log.CatchUp(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(42), n, "a second CatchUp continues where the first stopped")
	b, err := log.ProveSeq(ctx, 41, 42)
	require.NoError(t, err)
	require.NoError(t, audit.CheckBundle(b, key.Public()))
}
