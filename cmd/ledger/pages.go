package main

import (
	"net/http"
	"time"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// pages returns the pages for people served at "/": clerks sign in with an API token, checked
// against the same token store as the API. Their sessions end sessionMaxAge after sign-in or after
// sessionIdle without a request (zero: the web package's defaults). Pack downloads go through the API's
// cfg.Packs, so they share its cache and are limited per client address like the API's packs; a
// clerk's entries count against the same write limit as API requests with the clerk's token.
func pages(cfg api.Config, sessionMaxAge, sessionIdle time.Duration) http.Handler {
	return web.New(web.Config{
		Models: cfg.Models, Recorder: cfg.Recorder, Log: cfg.Log, Store: cfg.Store, Now: cfg.Now, Logger: cfg.Logger,
		Private: cfg.Private, SessionMaxAge: sessionMaxAge, SessionIdle: sessionIdle, Schema: api.OpenAPI(),
		Packs: func(r *http.Request, opts reviewpack.Options, format string) ([]byte, error) {
			return cfg.Packs.Render(r.Context(), api.Caller(r, tokens.Principal{}), opts, format)
		},
		AllowWrite: func(r *http.Request, token string) error {
			p, ok, err := cfg.Tokens.Authenticate(r.Context(), token)
			if err != nil || !ok {
				return nil // the session check refuses it anyway
			}
			return cfg.Limiter.AllowWrite(api.Caller(r, p))
		},
		Authenticate: func(r *http.Request, token string) (string, string, bool) {
			p, ok, err := cfg.Tokens.Authenticate(r.Context(), token)
			if err != nil || !ok {
				return "", "", false
			}
			return p.Actor, p.Role, true
		},
	})
}
