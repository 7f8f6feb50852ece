package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// openStore opens the store named by spec: "bolt:FILE" (or a bare path) for the embedded store,
// "esdb://..." or "kurrentdb://..." for KurrentDB.
func (a *app) openStore(ctx context.Context, spec string) (eventstore.Store, error) {
	switch {
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"),
		strings.HasPrefix(spec, "kurrentdb://"), strings.HasPrefix(spec, "kurrentdb+discover://"):
		return a.openKurrentDB(ctx, spec)
	case strings.HasPrefix(spec, "bolt:"):
		spec = strings.TrimPrefix(spec, "bolt:")
	case strings.Contains(spec, "://"):
		return nil, usageErrorf("--store %q: unknown kind of store (want bolt:FILE or esdb://host:2113?tls=false)", spec)
	}
	if spec == "" {
		return nil, usageErrorf("--store bolt: needs a file name, e.g. bolt:ledger.db")
	}
	s, err := bolt.Open(spec, bolt.Options{Now: a.now})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", spec, err)
	}
	return s, nil
}

// defaultKeyFile is where the tree-signing key lives when --key-file is not given: beside a bolt
// store. KurrentDB deployments must name it explicitly (every server shares one key).
func (a *app) defaultKeyFile() (string, error) {
	if a.keyFile != "" {
		return a.keyFile, nil
	}
	spec := a.store
	if strings.Contains(spec, "://") {
		return "", usageErrorf("--key-file is required with a KurrentDB store: every ledger server must share one key")
	}
	path := strings.TrimPrefix(spec, "bolt:")
	return filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".key"), nil
}
