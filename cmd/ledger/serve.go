package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	options := serverFlags(fs)
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	opts, err := options("serve")
	if err != nil {
		return err
	}
	ln, err := listen("serve", *addr) // first: a busy port opens no store and creates no key
	if err != nil {
		return err
	}
	store, err := a.openServedStore(ctx, a.store)
	if err != nil {
		ln.Close()
		return err
	}
	opts.ln = ln
	return a.serve(ctx, store, opts)
}

// serverFlags declares the flags of a running server (serve and demo share them) and returns what
// reads them once parsed: serveOptions without its listener, or a usage error naming the flag.
func serverFlags(fs *flag.FlagSet) func(cmd string) (serveOptions, error) {
	private := fs.Bool("private", false, "require a token for reads of partnership projections too, and for /metrics, tree heads, consistency proofs and /readyz details")
	writeRate := fs.Float64("write-rate", api.DefaultWritesPerSecond, "recording requests per second each caller (token, else client address) may make; 0 turns the limit off")
	writeBurst := fs.Int("write-burst", api.DefaultWriteBurst, "recording requests a caller may make at once above --write-rate")
	packRenders := fs.Int("pack-renders", api.DefaultPackRenders, "review packs each caller may have rendering at once; 0 turns the limit off")
	packsPerMinute := fs.Int("packs-per-minute", api.DefaultPacksPerMinute, "review packs each caller may render per minute (cached repeats are free); 0 turns the limit off")
	serverPackRenders := fs.Int("server-pack-renders", api.DefaultServerPackRenders(), "review packs the whole server may have rendering at once, whoever asks (default: half the cores, at least 1); over it a request gets 429 with Retry-After, never a queue; 0 turns the limit off")
	verifications := fs.Int("verifications", api.DefaultVerifications, "full verifications (GET /v1/audit/verify) each caller may run at once; 0 turns the limit off")
	sessionMaxAge := fs.Duration("session-max-age", web.DefaultSessionMaxAge, "a signed-in page session ends this long after sign-in")
	sessionIdle := fs.Duration("session-idle", web.DefaultSessionIdle, "a signed-in page session ends after this long without a request")
	recordTimeout := fs.Duration("record-timeout", recording.DefaultTimeout,
		"how long a recording request may wait for its turn; past it the command is withdrawn unrecorded and answered 503 with Retry-After")
	witnesses := witnessFlagsOfServer(fs)
	return func(cmd string) (serveOptions, error) {
		if *recordTimeout <= 0 {
			return serveOptions{}, usageErrorf("%s: --record-timeout must be a positive duration such as 5s; got %s", cmd, *recordTimeout)
		}
		if *writeRate < 0 || *writeBurst < 1 || *packRenders < 0 || *packsPerMinute < 0 || *serverPackRenders < 0 || *verifications < 0 {
			return serveOptions{}, usageErrorf("%s: --write-rate, --pack-renders, --server-pack-renders, --packs-per-minute and --verifications must be 0 (off) or more, --write-burst at least 1", cmd)
		}
		if *sessionMaxAge <= 0 || *sessionIdle <= 0 {
			return serveOptions{}, usageErrorf("%s: --session-max-age and --session-idle must be positive durations, e.g. 12h and 1h", cmd)
		}
		off := func(n int) int { // api.Limits: zero takes the default, negative is off
			if n == 0 {
				return -1
			}
			return n
		}
		limits := api.Limits{WritesPerSecond: *writeRate, WriteBurst: *writeBurst, PackRenders: off(*packRenders),
			PacksPerMinute: off(*packsPerMinute), ServerPackRenders: off(*serverPackRenders), Verifications: off(*verifications)}
		if *writeRate == 0 {
			limits.WritesPerSecond = -1
		}
		w, err := witnesses(cmd)
		if err != nil {
			return serveOptions{}, err
		}
		return serveOptions{private: *private, recordTimeout: *recordTimeout, limits: limits,
			sessionMaxAge: *sessionMaxAge, sessionIdle: *sessionIdle, witnesses: w}, nil
	}
}

// listen opens the server's listening socket. A failure (the port is taken, the address is wrong) is
// a usage error that says how to choose another address.
func listen(cmd, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usageErrorf("%s: cannot listen on %s (%v); choose another address with --addr, e.g. --addr 127.0.0.1:8081, or --addr 127.0.0.1:0 for any free port", cmd, addr, errors.Unwrap(err))
	}
	return ln, nil
}

type serveOptions struct {
	ln      net.Listener // the listening socket (listen)
	private bool
	// recordTimeout bounds a recording request's wait (recording.Options.Timeout; 0: the default).
	recordTimeout time.Duration
	// limits bound each caller (zero fields: api's defaults).
	limits api.Limits
	// sessionMaxAge and sessionIdle end page sessions (zero: web's defaults).
	sessionMaxAge, sessionIdle time.Duration
	// ready, when set, is called with the base URL once the server listens.
	ready func(baseURL string)
	// witnesses are the witnesses asked to cosign checkpoints (--witness, --witness-quorum).
	witnesses witnessOptions
}

// serve runs the HTTP server over store until ctx ends (SIGINT/SIGTERM), then shuts down gracefully:
// in-flight requests finish, the background folds stop, and the store is closed.
func (a *app) serve(ctx context.Context, store eventstore.Store, opts serveOptions) error {
	defer store.Close()
	ln := opts.ln
	defer ln.Close() // when serving never starts; closing again after Serve is harmless
	key, err := a.loadKey(ctx, store)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	models := projections.NewModels(projections.Options{Now: a.now})
	runner := projections.NewRunner(store, models)
	auditLog := audit.NewLog(store, key)
	checkpoints, err := a.checkpointer(ctx, store, key, auditLog)
	if err != nil {
		return err
	}
	checkpoints.Logger = logger
	caughtUp := func(ctx context.Context) error {
		// The first checkpoint covers the ledger as it is when the server starts, not the part of it
		// the audit log has folded so far.
		if head, err := store.Head(ctx); err == nil {
			return auditLog.WaitFor(ctx, head.Seq)
		}
		return nil
	}
	background := map[string]func(context.Context) error{"projections": runner.Run, "audit log": auditLog.Run,
		"checkpoints": func(ctx context.Context) error {
			if err := caughtUp(ctx); err != nil {
				return err
			}
			return checkpoints.Run(ctx)
		}}
	// The witnesses are asked to cosign each new checkpoint (docs/integrity.md §10).
	if cosigner := opts.witnesses.cosigner(checkpoints, auditLog, logger); cosigner != nil {
		checkpoints.Stored = func(eventstore.Checkpoint) { cosigner.Notify() }
		background["witnesses"] = func(ctx context.Context) error {
			if err := caughtUp(ctx); err != nil {
				return err
			}
			return cosigner.Run(ctx)
		}
		reportf(a.stdout, "asking %d witness(es) to cosign each checkpoint of %s (quorum %d)\n", len(cosigner.Witnesses), checkpoints.Origin, cosigner.Quorum)
	}

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	// The checkpointer signs after appends, and the witnesses are asked, in the background: appends
	// never wait for them.
	for name, run := range background {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(bg); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("background fold stopped", "fold", name, "err", err)
			}
		}()
	}
	defer func() { stopBG(); wg.Wait() }()

	tokens := tokens.New(store, a.now)
	if err := tokens.Load(ctx); err != nil {
		return err // e.g. an index edited to revive a revoked token: damage, and no server
	}
	cfg := api.Config{
		Store: store, Models: models, Log: auditLog, Recorder: recording.NewWithOptions(store, recording.Options{Clock: a.now, Timeout: opts.recordTimeout}),
		Tokens: tokens, Logger: logger, Now: a.now, Private: opts.private, Limits: opts.limits, Checkpoints: checkpoints,
	}
	cfg.Limiter = api.NewLimiter(opts.limits)
	cfg.Packs = api.NewPacks(reviewpack.Source{Events: store, Models: models, Log: auditLog,
		Checkpoints: checkpoints.Store, Origin: checkpoints.Origin, Witnessed: opts.witnesses.witnessed()}, a.now, cfg.Limiter)
	cfg.Pages = pages(cfg, opts.sessionMaxAge, opts.sessionIdle)
	srv := &http.Server{
		Handler:           api.NewServer(cfg),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := "http://" + ln.Addr().String()
	reportf(a.stdout, "listening on %s\n", base)
	if opts.ready != nil {
		opts.ready(base)
	}
	return a.serveUntilDone(ctx, "serve", srv, ln, "stopped: every request finished and the store is closed")
}

// serveUntilDone serves srv on ln until ctx ends (SIGINT/SIGTERM), then shuts it down gracefully
// (in-flight requests finish, within 15 s) and prints stopped.
func (a *app) serveUntilDone(ctx context.Context, cmd string, srv *http.Server, ln net.Listener, stopped string) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", cmd, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("%s: shutdown: %w", cmd, err)
	}
	fmt.Fprintln(a.stdout, stopped)
	return nil
}
