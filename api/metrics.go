package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// latencyBuckets are the histogram bounds, in seconds, of request latency.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// metrics counts requests by route pattern and status, with a latency histogram, in the Prometheus
// text format. Safe for concurrent use.
type metrics struct {
	mu   sync.Mutex
	reqs map[routeKey]*histogram
}

type routeKey struct {
	route  string
	method string
	status int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	total  uint64
}

func newMetrics() *metrics { return &metrics{reqs: map[routeKey]*histogram{}} }

func (m *metrics) observe(k routeKey, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.reqs[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.reqs[k] = h
	}
	if i := sort.SearchFloat64s(latencyBuckets, sec); i < len(latencyBuckets) {
		h.counts[i]++
	}
	h.sum += sec
	h.total++
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

// instrument logs each request as JSON (slog) and records its latency by route pattern.
func (s *server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.observe(routeKey{route: route, method: r.Method, status: status}, d)
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

func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	var b strings.Builder
	b.WriteString("# HELP ledger_http_request_duration_seconds HTTP request latency by route.\n")
	b.WriteString("# TYPE ledger_http_request_duration_seconds histogram\n")
	s.metrics.mu.Lock()
	keys := make([]routeKey, 0, len(s.metrics.reqs))
	for k := range s.metrics.reqs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b routeKey) int {
		return strings.Compare(fmt.Sprint(a.route, a.method, a.status), fmt.Sprint(b.route, b.method, b.status))
	})
	for _, k := range keys {
		h := s.metrics.reqs[k]
		labels := fmt.Sprintf(`route=%q,method=%q,status="%d"`, k.route, k.method, k.status)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "ledger_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", labels, le, cum)
		}
		fmt.Fprintf(&b, "ledger_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.total)
		fmt.Fprintf(&b, "ledger_http_request_duration_seconds_sum{%s} %g\n", labels, h.sum)
		fmt.Fprintf(&b, "ledger_http_request_duration_seconds_count{%s} %d\n", labels, h.total)
	}
	s.metrics.mu.Unlock()
	head, _ := s.Store.Head(r.Context())
	seq := s.Models.Seq()
	lag := uint64(0)
	if head.Seq > seq {
		lag = head.Seq - seq
	}
	fmt.Fprintf(&b, "# HELP ledger_store_seq The last seq in the store.\n# TYPE ledger_store_seq gauge\nledger_store_seq %d\n", head.Seq)
	fmt.Fprintf(&b, "# HELP ledger_projections_seq The last seq folded into the read models.\n# TYPE ledger_projections_seq gauge\nledger_projections_seq %d\n", seq)
	fmt.Fprintf(&b, "# HELP ledger_projection_lag_events Events in the store not yet in the read models.\n# TYPE ledger_projection_lag_events gauge\nledger_projection_lag_events %d\n", lag)
	fmt.Fprintf(&b, "# HELP ledger_audit_tree_size Leaves in the Merkle tree.\n# TYPE ledger_audit_tree_size gauge\nledger_audit_tree_size %d\n", s.Log.Size())
	w.Write([]byte(b.String()))
}
