package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb/kurrenttest"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// `ledger verify --store esdb://...` on a KurrentDB ledger whose stream was deleted or truncated
// behind its back: one line naming the stream and what KurrentDB did, exit 1.
func TestVerifyKurrentDBDamage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(*esdb.Client) error
		want   string
	}{
		{"soft delete", func(c *esdb.Client) error {
			_, err := c.DeleteStream(context.Background(), "p-1", esdb.DeleteStreamOptions{})
			return err
		}, "it was deleted in KurrentDB"},
		{"tombstone", func(c *esdb.Client) error {
			_, err := c.TombstoneStream(context.Background(), "p-1", esdb.TombstoneStreamOptions{})
			return err
		}, "tombstoned"},
		{"$maxCount", func(c *esdb.Client) error {
			var m esdb.StreamMetadata
			m.SetMaxCount(1)
			_, err := c.SetStreamMetadata(context.Background(), "p-1", esdb.AppendToStreamOptions{}, m)
			return err
		}, "$maxCount 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := kurrenttest.Start(t)
			s, err := kurrentdb.Open(context.Background(), srv.URL(), kurrentdb.Options{})
			require.NoError(t, err)
			for i := range 3 {
				for _, stream := range []string{"p-1", "p-2"} {
					_, err := s.Append(context.Background(), stream, eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
					require.NoError(t, err)
				}
			}
			require.NoError(t, s.Close())
			keyFile := filepath.Join(t.TempDir(), "ledger.key")
			r := ledger(t, nil, "verify", "--store", srv.URL(), "--key-file", keyFile)
			require.Equal(t, 0, r.code, r.stderr)

			cfg, err := esdb.ParseConnectionString(srv.URL())
			require.NoError(t, err)
			cfg.Logger = esdb.NoopLogging()
			raw, err := esdb.NewClient(cfg)
			require.NoError(t, err)
			defer raw.Close()
			require.NoError(t, tc.tamper(raw))

			r = ledger(t, nil, "verify", "--store", srv.URL(), "--key-file", keyFile)
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stderr, "the store is damaged at stream p-1")
			assert.Contains(t, r.stderr, tc.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
			t.Log(strings.TrimSpace(r.stderr))
		})
	}
}

// `ledger key --store esdb://... --key-file F` with F missing creates no key for a KurrentDB ledger
// that has events (only its own key verifies the heads auditors kept): it opens the store to read its
// head first, and says where it looked. On an empty KurrentDB ledger it makes none either: 'ledger
// key' only reads (exit 2, saying how a key is made).
func TestKeyForKurrentDBLedgerWithEvents(t *testing.T) {
	srv := kurrenttest.Start(t)
	keyFile := filepath.Join(t.TempDir(), "ledger.key")
	r := ledger(t, nil, "key", "--store", srv.URL(), "--key-file", keyFile)
	assert.Equal(t, 2, r.code, r.stderr)
	assert.Contains(t, r.stderr, "openssl genpkey -algorithm ed25519")
	assert.NoFileExists(t, keyFile, "a read command creates nothing")

	s, err := kurrentdb.Open(context.Background(), srv.URL(), kurrentdb.Options{})
	require.NoError(t, err)
	_, err = s.Append(context.Background(), "p-1", eventstore.Any, storetest.Event("T", `{"i":0}`))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	other := filepath.Join(t.TempDir(), "other.key")
	r = ledger(t, nil, "key", "--store", srv.URL(), "--key-file", other)
	assert.Equal(t, 1, r.code, r.stdout+r.stderr)
	assert.NotContains(t, r.stderr, "created a new tree-signing key")
	assert.Contains(t, r.stderr, other)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	_, err = os.Stat(other)
	assert.ErrorIs(t, err, os.ErrNotExist, "no key was created")
}
