package main

import (
	"context"
	"fmt"
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
