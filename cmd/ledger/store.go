package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// openStore opens the store named by spec for a command that writes: "bolt:FILE" (or a bare path) for
// the embedded store, "esdb://..." or "kurrentdb://..." for KurrentDB. A bolt file that does not exist
// is created. When the ledger is empty and its tree-signing key file is missing, the key is created
// (with a warning): a key is made with the ledger's first events, never for a ledger that has some.
func (a *app) openStore(ctx context.Context, spec string) (eventstore.Store, error) {
	s, err := a.open(ctx, spec, true)
	if err != nil {
		return nil, err
	}
	if err := a.keyForNewLedger(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openExistingStore opens a store for a command that only reads: a bolt file that does not exist is a
// usage error rather than a new, empty ledger (a mistyped path must not verify as "intact: 0 events"),
// and a bolt file is opened read-only (bolt.Options.ReadOnly): a read command never changes it, and
// works on a copy the user may not write.
func (a *app) openExistingStore(ctx context.Context, spec string) (eventstore.Store, error) {
	return a.open(ctx, spec, false)
}

func (a *app) open(ctx context.Context, spec string, create bool) (eventstore.Store, error) {
	return a.openWith(ctx, spec, create, false)
}

// openWith opens a store; salvage opens a damaged bolt store read-only for 'export --salvage'
// (bolt.Options.Salvage).
func (a *app) openWith(ctx context.Context, spec string, create, salvage bool) (eventstore.Store, error) {
	orig := spec
	switch {
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"),
		strings.HasPrefix(spec, "kurrentdb://"), strings.HasPrefix(spec, "kurrentdb+discover://"):
		if salvage {
			return nil, usageErrorf("--salvage reads a damaged bolt file; a KurrentDB store is read with a plain export")
		}
		return a.openKurrentDB(ctx, spec)
	case strings.HasPrefix(spec, "bolt:"):
		spec = strings.TrimPrefix(spec, "bolt:")
	case strings.Contains(spec, "://"):
		return nil, usageErrorf("--store %q: unknown kind of store (want bolt:FILE or esdb://host:2113?tls=false)", spec)
	}
	if spec == "" {
		return nil, usageErrorf("--store bolt: needs a file name, e.g. bolt:ledger.db")
	}
	if !create {
		if _, err := os.Stat(spec); errors.Is(err, fs.ErrNotExist) {
			return nil, usageErrorf("%s: no ledger at %s (commands that only read never create one; check the path, or start a ledger with 'ledger seed' or 'ledger record')", orig, spec)
		}
	}
	s, err := bolt.Open(spec, bolt.Options{Now: a.now, ReadOnly: !create, Salvage: salvage})
	var damaged *eventstore.DamageError
	if errors.As(err, &damaged) {
		return nil, damaged // one line that says it all
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", spec, err)
	}
	return s, nil
}

// boltPath returns the file of a bolt store spec ("bolt:FILE" or a bare path); ok is false for
// KurrentDB.
func boltPath(spec string) (string, bool) {
	if strings.Contains(spec, "://") {
		return "", false
	}
	return strings.TrimPrefix(spec, "bolt:"), true
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
	return keyBeside(spec), nil
}

// keyBeside is the default key file of a bolt store: FILE's name with .key for its extension.
func keyBeside(spec string) string {
	path := strings.TrimPrefix(spec, "bolt:")
	return filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".key")
}
