package main

// Commands whose implementation has not landed yet. Each engineer deletes a stub here when the real
// command lands in its own file. Nothing may remain here at release: `ledger --help` must list only
// commands that work.

import (
	"context"
	"errors"

	"github.com/partnership-ledger/ledger/eventstore"
)

var errPending = errors.New("this command is not available yet")

func cmdMigrate(ctx context.Context, a *app, args []string) error { return errPending }
func cmdGen(ctx context.Context, a *app, args []string) error     { return errPending }
func openKurrentDB(ctx context.Context, spec string) (eventstore.Store, error) {
	return nil, errors.New("KurrentDB support has not landed yet")
}
