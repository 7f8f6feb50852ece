package kurrentdb_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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
