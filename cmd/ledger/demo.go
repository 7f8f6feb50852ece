package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/tokens"
)

func cmdDemo(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("demo")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	options := serverFlags(fs) // the demo is a server: serve's flags apply
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	opts, err := options("demo")
	if err != nil {
		return err
	}
	// Listen first: a busy port must not leave a seeded ledger, a key or a token event behind.
	ln, err := listen("demo", *addr)
	if err != nil {
		return err
	}
	store, err := a.openServedStore(ctx, a.store)
	if err != nil {
		ln.Close()
		return err
	}
	fail := func(err error) error { store.Close(); ln.Close(); return err }
	// The key too, before anything is written: a ledger with events whose key is missing must not
	// gain a token event on each try (openServedStore made the key if the ledger is empty).
	if _, err := a.loadKey(ctx, store); err != nil {
		return fail(err)
	}
	head, err := store.Head(ctx)
	if err != nil {
		return fail(err)
	}
	has, err := hasPartnership(ctx, store)
	if err != nil {
		return fail(err)
	}
	if !has {
		n, err := demo.SeedStore(ctx, store)
		if err != nil {
			return fail(fmt.Errorf("demo: seed: %w", err))
		}
		reportf(a.stdout, "seeded the Norfolk demo: %d events in %s\n", n, a.store)
	} else {
		reportf(a.stdout, "using the ledger in %s (%d events)\n", a.store, head.Seq)
	}
	issuer := tokens.New(store, a.now)
	tok, err := issuer.Issue(ctx, tokens.RoleRecorder, "demo clerk", a.actor())
	if err != nil {
		return fail(fmt.Errorf("demo: issue a recorder token: %w", err))
	}
	aud, err := issuer.Issue(ctx, tokens.RoleAuditor, "demo auditor", a.actor())
	if err != nil {
		return fail(fmt.Errorf("demo: issue an auditor token: %w", err))
	}
	opts.ln = ln
	opts.ready = func(base string) {
		reportf(a.stdout, `
The Norfolk demo is ready.
  pages        %[1]s/
  partnerships %[1]s/v1/partnerships
  one state    %[1]s/v1/partnerships/great-yarmouth-north-norfolk?as_of=2015-11-07
  OpenAPI      %[1]s/openapi.json

A recorder token for trying writes (shown once; once the demo has stopped, revoke it with
'ledger token revoke %[2]s --store %[6]s'):
  %[3]s

  curl -H 'Authorization: Bearer %[3]s' -H 'Content-Type: application/json' \
    -d '{"type":"SavingsReported","effective_on":"2016-03-01","certainty":"reported","sources":[{"kind":"press","title":"EDP, 1 March 2016"}],"data":{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}}' \
    %[1]s/v1/partnerships/great-yarmouth-north-norfolk/events

An auditor token for reading everything and verifying the whole ledger (shown once; once the demo has
stopped, revoke it with 'ledger token revoke %[4]s --store %[6]s'):
  %[5]s

  curl -H 'Authorization: Bearer %[5]s' %[1]s/v1/audit/verify

Press Ctrl-C to stop.
`, base, tok.TokenID, tok.Token, aud.TokenID, aud.Token, shellQuote(a.store))
	}
	return a.serve(ctx, store, opts)
}

// hasPartnership reports whether the store holds any partnership event (tokens alone do not count).
func hasPartnership(ctx context.Context, store eventstore.Store) (bool, error) {
	for e, err := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(e.Stream, domain.StreamPrefix) {
			return true, nil
		}
	}
	return false, nil
}

// shellQuote returns s as one word for a POSIX shell: unchanged when it holds only characters no shell
// treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
