package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/partnership-ledger/ledger/tokens"
)

// latencyBuckets are the histogram bounds, in seconds, of request latency.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// otherLabel stands for every method or route outside the known sets, so no request can add a series.
const otherLabel = "other"

// knownMethods are the methods that get their own label value; any other method is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// metrics are the server's Prometheus metrics on a registry the server owns (never the global one):
// request latency by route pattern, method and status class, the Go runtime and process collectors,
// and gauges of the store, the read models and the Merkle tree. Label values come from closed sets
// (the patterns registered in routes.go, knownMethods, the status code), so the number of series is
// bounded whatever clients send. Safe for concurrent use.
type metrics struct {
	reg      *prometheus.Registry
	latency  *prometheus.HistogramVec
	patterns map[string]bool // registered route patterns
	handler  http.Handler
}

func newMetrics(s *server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), patterns: map[string]bool{}}
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ledger_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern, method (GET, POST, ... or other) and status code.",
		Buckets: latencyBuckets,
	}, []string{"route", "method", "status"})
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	storeSeq := func() uint64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		head, _ := s.Store.Head(ctx)
		return head.Seq
	}
	m.reg.MustRegister(
		m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("ledger_store_seq", "The last seq in the store.", func() float64 { return float64(storeSeq()) }),
		gauge("ledger_projections_seq", "The last seq folded into the read models.", func() float64 { return float64(s.Models.Seq()) }),
		gauge("ledger_projection_lag_events", "Events in the store not yet in the read models.", func() float64 {
			head, seq := storeSeq(), s.Models.Seq()
			if head > seq {
				return float64(head - seq)
			}
			return 0
		}),
		gauge("ledger_audit_tree_size", "Leaves in the Merkle tree.", func() float64 { return float64(s.Log.Size()) }),
	)
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)})
	return m
}

// labels maps a request to bounded label values: its route pattern if registered, else "other"; its
// method if known, else "other"; its status code (net/http allows only three digits).
func (m *metrics) labels(r *http.Request, status int) (route, method, code string) {
	route, method = r.Pattern, r.Method
	if !m.patterns[route] {
		route = otherLabel
	}
	if !knownMethods[method] {
		method = otherLabel
	}
	if status >= 100 && status < len(statusText) {
		return route, method, statusText[status]
	}
	return route, method, strconv.Itoa(status)
}

// statusText holds the decimal text of the status codes below 600, to label without allocating.
var statusText = func() []string {
	t := make([]string, 600)
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// handle registers a route on mux and records its pattern as a known label value.
func (m *metrics) handle(mux *http.ServeMux, pattern string, h http.Handler) {
	m.patterns[pattern] = true
	mux.Handle(pattern, h)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers (Server-Sent Events) flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// responseStarted reports whether the status line of w's response has been written (through the
// statusWriter that instrument puts round every handler; a writer without one counts as not
// started). After that no error can be answered: the status and part of the body are on their way.
func responseStarted(w http.ResponseWriter) bool {
	for {
		switch v := w.(type) {
		case *statusWriter:
			return v.status != 0
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return false
		}
	}
}

// clientGone reports whether err says the client is no longer there to read the answer: it closed
// or reset the connection (EPIPE, ECONNRESET), the request's context was cancelled because it did,
// or a write outlasted its deadline (a client that stopped reading). None of these is a fault of
// the server.
func clientGone(r *http.Request, err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, http.ErrHandlerTimeout) ||
		(errors.Is(err, context.Canceled) && r.Context().Err() != nil)
}

// instrument logs each request as JSON (slog) and records its latency by route pattern.
func (s *server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route, method, code := s.metrics.labels(r, status)
		s.metrics.latency.WithLabelValues(route, method, code).Observe(d.Seconds())
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", d))
	})
}

// recoverer turns a panic in a handler into a logged 500 problem.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// handleMetrics serves the registry in the Prometheus exposition format; on a private server only to
// a caller with a token (any role).
func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.require(r, tokens.RoleReader); err != nil {
		return err
	}
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}
