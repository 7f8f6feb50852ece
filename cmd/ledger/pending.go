package main

// Commands whose implementation has not landed yet. Each engineer deletes a stub here when the real
// command lands in its own file. Nothing may remain here at release: `ledger --help` must list only
// commands that work.

import (
	"context"
	"errors"
)

var errPending = errors.New("this command is not available yet")

func cmdGen(ctx context.Context, a *app, args []string) error { return errPending }
