package kurrentdb_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// open opens a Store on url for the duration of t.
func open(t *testing.T, url string, opts kurrentdb.Options) *kurrentdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := kurrentdb.Open(ctx, url, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// TestContract runs the store contract suite through the real client against a fresh in-process
// KurrentDB test server for every subtest.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return open(t, kurrenttest.Start(t).URL(), kurrentdb.Options{})
	})
}

// TestContractRealKurrentDB runs the contract suite against the KurrentDB named by
// LEDGER_TEST_KURRENTDB. Every subtest uses its own namespace, so the database need not be empty.
func TestContractRealKurrentDB(t *testing.T) {
	url := os.Getenv(kurrenttest.EnvURL)
	if url == "" {
		t.Skip("no real KurrentDB: run `docker compose up -d kurrentdb`, then " +
			"`LEDGER_TEST_KURRENTDB='esdb://localhost:2113?tls=false' go test ./eventstore/kurrentdb/`")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		return open(t, url, kurrentdb.Options{Namespace: "test" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12] + "-"})
	})
}

// TestCheckpointContract runs the checkpoint store contract against the in-process KurrentDB test
// server; a reopen is a new Store (a new connection and fold) on the same server.
func TestCheckpointContract(t *testing.T) {
	urls := map[eventstore.Store]string{}
	storetest.RunCheckpoints(t, func(t *testing.T) eventstore.Store {
		url := kurrenttest.Start(t).URL()
		s := open(t, url, kurrentdb.Options{})
		urls[s] = url
		return s
	}, func(t *testing.T, s eventstore.Store) eventstore.Store {
		require.NoError(t, s.Close())
		again := open(t, urls[s], kurrentdb.Options{})
		urls[again] = urls[s]
		return again
	})
}

// Checkpoints of two ledgers sharing one database stay apart, outside both namespaces, and two
// Stores of one ledger see each other's puts.
func TestCheckpointsOutsideTheNamespace(t *testing.T) {
	ctx := context.Background()
	url := kurrenttest.Start(t).URL()
	a := open(t, url, kurrentdb.Options{Namespace: "ledgera-"})
	a2 := open(t, url, kurrentdb.Options{Namespace: "ledgera-"})
	b := open(t, url, kurrentdb.Options{Namespace: "ledgerb-"})
	plain := open(t, url, kurrentdb.Options{})
	_, err := a.Append(ctx, "partnership-x", eventstore.NoStream, storetest.Event("T", `{"n":1}`))
	require.NoError(t, err)
	require.NoError(t, a.PutCheckpoint(ctx, storetest.TestCheckpoint(1, 1)))
	added, err := a2.PutCosignature(ctx, 1, storetest.TestCheckpoint(1, 1).Root, storetest.TestCosignature("w", 1, 1))
	require.NoError(t, err)
	assert.True(t, added, "the second Store folds the first's checkpoint")
	got, err := a.LatestCheckpoint(ctx)
	require.NoError(t, err)
	assert.Len(t, got.Cosignatures, 1, "and the first folds the second's cosignature")

	_, err = b.LatestCheckpoint(ctx)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound, "another ledger's checkpoints are not this one's")
	h, err := a.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), h.Seq, "a checkpoint is never a ledger event")
	storetest.Check(t, a)

	// Without a namespace the ledger owns every stream but the checkpoint stream's events carry no
	// ledger marker (the contract's runs check that they take no seq).
	_, err = plain.LatestCheckpoint(ctx)
	assert.ErrorIs(t, err, eventstore.ErrCheckpointNotFound)
	assert.Equal(t, "ledger.checkpoints.ledgera", kurrentdb.CheckpointStream("ledgera-"))
}
