package audit_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

func openBolt(t *testing.T, name string) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), name), bolt.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestBoltExportImport moves a ledger between two bbolt stores through an export file.
func TestBoltExportImport(t *testing.T) {
	exportImportRoundTrip(t, openBolt(t, "src.db"), openBolt(t, "dst.db"), true)
}

func TestBoltLogProves(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := openBolt(t, "ledger.db")
	events := recordSome(t, store, 9)
	key := testKey(5)
	log := audit.NewLog(store, key)
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- log.Run(runCtx) }()
	require.NoError(t, log.WaitFor(ctx, 9))
	more := recordSome(t, store, 3)
	require.NoError(t, log.WaitFor(ctx, 12))

	b, err := log.Prove(ctx, more[1].ID)
	require.NoError(t, err)
	require.NoError(t, audit.CheckBundle(b, key.Public()))
	c, err := log.Consistency(9, 12)
	require.NoError(t, err)
	require.NoError(t, audit.CheckConsistency(c.From, c.To, c.Proof, key.Public()))
	assert.True(t, events[8].RecordedAt.Equal(c.From.Timestamp))

	rep, err := audit.Verify(ctx, store, nil)
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Equal(t, rep.Root, c.To.Root)

	var buf bytes.Buffer
	_, err = audit.Export(ctx, store, &buf)
	require.NoError(t, err)
	fileRep, err := audit.VerifyExport(ctx, &buf, audit.VerifyOptions{})
	require.NoError(t, err)
	assert.Equal(t, rep.Root, fileRep.Root)

	stop()
	assert.ErrorIs(t, <-ran, context.Canceled)
}
