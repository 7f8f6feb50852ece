package main

import (
	"context"
	"fmt"

	"github.com/partnership-ledger/ledger/domain/demo"
)

func cmdSeed(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("seed")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	s, err := a.openStore(ctx, a.store)
	if err != nil {
		return err
	}
	defer s.Close()
	added, err := demo.SeedStore(ctx, s)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	total := len(demo.Commands())
	if added == 0 {
		reportf(a.stdout, "the Norfolk demo is already in %s (%d events); nothing changed\n", a.store, total)
		return nil
	}
	reportf(a.stdout, "seeded the Norfolk demo into %s: %d events in partnerships great-yarmouth-north-norfolk and norfolk-revenues-benefits\n", a.store, added)
	return nil
}
