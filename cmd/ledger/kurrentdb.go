package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/kurrentdb"
)

// kurrentOpenTimeout bounds how long opening a KurrentDB store may take: connecting, and folding $all
// into the seq index.
const kurrentOpenTimeout = 2 * time.Minute

// openKurrentDB opens the KurrentDB store named by spec: an esdb:// or esdb+discover:// connection
// string, or the same with kurrentdb:// (rewritten for the v4.2.0 client, which knows only esdb).
// The client's own log lines are dropped; the adapter's reconnection notices go to stderr.
func (a *app) openKurrentDB(ctx context.Context, spec string) (eventstore.Store, error) {
	url := spec
	if rest, ok := strings.CutPrefix(url, "kurrentdb"); ok {
		url = "esdb" + rest
	}
	ctx, cancel := context.WithTimeout(ctx, kurrentOpenTimeout)
	defer cancel()
	log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := kurrentdb.Open(ctx, url, kurrentdb.Options{Now: a.now, Logger: log})
	if errors.Is(err, kurrentdb.ErrBadConnectionString) {
		return nil, usageErrorf("%v (want e.g. esdb://localhost:2113?tls=false)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w (is KurrentDB running? 'docker compose up -d kurrentdb' starts one)", spec, err)
	}
	return s, nil
}
