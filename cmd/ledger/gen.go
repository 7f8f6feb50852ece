package main

import (
	"context"
	"time"

	"github.com/partnership-ledger/ledger/domain/refdata"
)

func cmdGen(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("gen")
	parts := fs.Int("partnerships", 300, "how many partnerships")
	events := fs.Int("events", 1_000_000, "how many events in all")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	if *parts < 1 || *events < 5**parts {
		return usageErrorf("gen: want at least 1 partnership and 5 events per partnership (got %d and %d)", *parts, *events)
	}
	s, err := a.openStore(ctx, a.store)
	if err != nil {
		return err
	}
	defer s.Close()
	start := time.Now()
	p := a.newProgress("generating", uint64(*events))
	err = refdata.Generate(ctx, s, refdata.Options{Partnerships: *parts, Events: *events, Progress: func(n int) { p.Update(uint64(n)) }})
	if err != nil {
		return usageErrorf("gen: %v", err)
	}
	p.Done(uint64(*events))
	reportf(a.stdout, "generated %d events in %d partnerships into %s in %s\n", *events, *parts, a.store, time.Since(start).Round(time.Millisecond))
	return nil
}
