package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
)

func cmdServe(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	private := fs.Bool("private", false, "require a token for reads of partnership projections too")
	recordTimeout := fs.Duration("record-timeout", recording.DefaultTimeout,
		"how long a recording request may wait for its turn; past it the command is withdrawn unrecorded and answered 503 with Retry-After")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("serve: unexpected argument %q (run 'ledger help serve')", pos[0])
	}
	if *recordTimeout <= 0 {
		return usageErrorf("serve: --record-timeout must be a positive duration such as 5s; got %s", *recordTimeout)
	}
	store, err := a.openStore(ctx, a.store)
	if err != nil {
		return err
	}
	return a.serve(ctx, store, serveOptions{addr: *addr, private: *private, recordTimeout: *recordTimeout})
}

type serveOptions struct {
	addr    string
	private bool
	// recordTimeout bounds a recording request's wait (recording.Options.Timeout; 0: the default).
	recordTimeout time.Duration
	// ready, when set, is called with the base URL once the server listens.
	ready func(baseURL string)
}

// serve runs the HTTP server over store until ctx ends (SIGINT/SIGTERM), then shuts down gracefully:
// in-flight requests finish, the background folds stop, and the store is closed.
func (a *app) serve(ctx context.Context, store eventstore.Store, opts serveOptions) error {
	defer store.Close()
	key, err := a.loadKey(ctx, store)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	models := projections.NewModels(projections.Options{Now: a.now})
	runner := projections.NewRunner(store, models)
	auditLog := audit.NewLog(store, key)

	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for name, run := range map[string]func(context.Context) error{"projections": runner.Run, "audit log": auditLog.Run} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(bg); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("background fold stopped", "fold", name, "err", err)
			}
		}()
	}
	defer func() { stopBG(); wg.Wait() }()

	cfg := api.Config{
		Store: store, Models: models, Log: auditLog, Recorder: recording.NewWithOptions(store, recording.Options{Clock: a.now, Timeout: opts.recordTimeout}),
		Tokens: api.NewTokens(store, a.now), Logger: logger, Now: a.now, Private: opts.private,
	}
	cfg.Pages = pages(cfg)
	srv := &http.Server{
		Handler:           api.NewServer(cfg),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return usageErrorf("serve: cannot listen on %s: %v", opts.addr, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "listening on %s\n", base)
	if opts.ready != nil {
		opts.ready(base)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(a.stdout, "stopped: every request finished and the store is closed")
	return nil
}
