// Package api serves the ledger over HTTP: the read models as JSON, recording with tokens and roles,
// the audit routes, review packs, a live event stream, OpenAPI 3.1 and the operations endpoints.
// Errors are RFC 9457 problem+json, mapped in one place (problem.go). Every route is in routes.go.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// MaxBodyBytes caps every request body.
const MaxBodyBytes = 1 << 20

// Config holds what the server needs. Store, Models, Log, Recorder and Tokens are required.
type Config struct {
	Store    eventstore.Store
	Models   *projections.Models // kept current by a projections.Runner the caller runs
	Log      *audit.Log          // kept current by the caller (Log.Run)
	Recorder *recording.Service
	Tokens   *tokens.Store
	Logger   *slog.Logger
	Now      func() time.Time
	// Private requires a token (any role) for reads of partnership projections too.
	Private bool
	// Pages, when set, serves the pages for people at "/".
	Pages http.Handler
	// MinSeqWait is how long a read with min_seq waits for the projections (default 3 s).
	MinSeqWait time.Duration
	// Limits bound each caller's writes, review-pack renders and verifications (see Limits for the
	// defaults a zero value takes), enforced by Limiter (default: NewLimiter(Limits)).
	Limits  Limits
	Limiter *Limiter
	// Packs renders review packs; share one with the pages so that both count against the same
	// cache and limits. Default: NewPacks over Store, Models and Log with Limiter.
	Packs *Packs
	// Checkpoints signs and keeps the ledger's C2SP checkpoints (GET /checkpoint), kept current by
	// the caller (Checkpointer.Run). Nil: GET /checkpoint answers 501, and /v1/audit/key names no
	// origin.
	Checkpoints *audit.Checkpointer
}

type server struct {
	Config
	log     *slog.Logger
	metrics *metrics
	bodies  bodyCache
}

// NewServer returns the HTTP handler of the ledger. It is safe for concurrent use.
func NewServer(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MinSeqWait == 0 {
		cfg.MinSeqWait = 3 * time.Second
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLimiter(cfg.Limits)
	}
	if cfg.Packs == nil {
		cfg.Packs = NewPacks(reviewpack.Source{Events: cfg.Store, Models: cfg.Models, Log: cfg.Log}, cfg.Now, cfg.Limiter)
	}
	s := &server{Config: cfg, log: cfg.Logger}
	s.metrics = newMetrics(s)
	mux := http.NewServeMux()
	s.routes(mux)
	return securityHeaders(s.instrument(s.recoverer(mux)))
}

// handler is a handler that may fail; the error is answered as a problem.
type handler func(w http.ResponseWriter, r *http.Request) error

func (s *server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// encoded is an answer body with its ETag: JSON unless ctype says otherwise.
type encoded struct {
	body  []byte
	etag  string
	ctype string // "" for application/json
}

func encodeBody(v any) (encoded, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return encoded{}, err
	}
	return bodyOf(append(b, '\n'), ""), nil
}

// bodyOf is b as an answer of content type ctype ("" for JSON), with the ETag of its bytes.
func bodyOf(b []byte, ctype string) encoded {
	sum := sha256.Sum256(b)
	return encoded{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, ctype: ctype}
}

// encode writes v as JSON with status, and an ETag of the body; a matching If-None-Match (RFC 9110
// §13.1.2, weak comparison) gets 304.
func encode(w http.ResponseWriter, r *http.Request, status int, v any) error {
	e, err := encodeBody(v)
	if err != nil {
		return err
	}
	return write(w, r, status, e)
}

func write(w http.ResponseWriter, r *http.Request, status int, e encoded) error {
	if status == http.StatusOK && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Header().Set("ETag", e.etag)
		// A malformed If-None-Match is ignored (the answer is sent in full), never refused.
		if inm, ok, err := parseConditionList(r, "If-None-Match"); ok && err == nil && inm.weakMatch(e.etag) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
	}
	ctype := e.ctype
	if ctype == "" {
		ctype = "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, err := w.Write(e.body)
	return err
}

// bodyCache keeps encoded read-model answers. A key names everything an answer depends on (the
// partnership, the resolved as_of, the known prefix of the log as a seq and as asked), and that prefix
// never changes, so an entry never goes stale; the map is simply emptied when it grows large.
// Safe for concurrent use.
type bodyCache struct {
	mu sync.Mutex
	m  map[string]encoded
}

const bodyCacheMax = 4096

func (c *bodyCache) get(key string) (encoded, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}

func (c *bodyCache) put(key string, e encoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= bodyCacheMax {
		c.m = make(map[string]encoded, 256)
	}
	c.m[key] = e
}

// principal returns the caller's principal from the Authorization header, if any valid one is given.
// A malformed or unknown token is an error even where none is required; more than one Authorization
// header is a bad request (400 naming the header).
func (s *server) principal(r *http.Request) (tokens.Principal, bool, error) {
	if n := len(r.Header.Values("Authorization")); n > 1 { // which one counts would be a guess
		return tokens.Principal{}, false, badHeader("Authorization", "send one Authorization header, not %d", n)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return tokens.Principal{}, false, nil
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(auth), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" { // RFC 9110 §11.1: schemes are case-insensitive
		return tokens.Principal{}, false, errUnauthorized
	}
	p, ok, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(token))
	if err != nil {
		return tokens.Principal{}, false, err
	}
	if !ok {
		return tokens.Principal{}, false, errUnauthorized
	}
	return p, true, nil
}

// require checks that the caller holds role need; a reader need on a public server passes without
// a token. A token of a role that may not is 403, naming the role needed and the role held.
func (s *server) require(r *http.Request, need string) (tokens.Principal, error) {
	p, ok, err := s.principal(r)
	if err != nil {
		return tokens.Principal{}, err
	}
	if !ok {
		if need == tokens.RoleReader && !s.Private {
			return tokens.Principal{Role: "public"}, nil
		}
		return tokens.Principal{}, errUnauthorized
	}
	if !p.Can(need) {
		return tokens.Principal{}, forbidden(need, p.Role)
	}
	return p, nil
}

// securityHeaders sets the headers every answer carries, JSON, problems and pages alike: no MIME
// sniffing, and a Content-Security-Policy that lets an answer load nothing (the pages set their own,
// wider policy). Review packs in HTML keep their inline styles.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaderValues {
			h[k] = v // shared one-element slices: Set replaces them and Add copies, never writes into them
		}
		next.ServeHTTP(w, r)
	})
}

// securityHeaderValues are securityHeaders' headers, in canonical form, built once.
var securityHeaderValues = map[string][]string{
	"X-Content-Type-Options":  {"nosniff"},
	"Content-Security-Policy": {apiCSP},
	"X-Frame-Options":         {"DENY"},
	"Referrer-Policy":         {"same-origin"},
}

// apiCSP is the Content-Security-Policy of every answer that is not a page.
const apiCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// waitMinSeq honours ?min_seq=: it waits until the projections include that seq (read-your-writes),
// or answers 503 with Retry-After.
func (s *server) waitMinSeq(r *http.Request) error {
	min, ok, err := parseUint(r, "min_seq")
	if err != nil || !ok {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.MinSeqWait)
	defer cancel()
	if err := s.Models.WaitFor(ctx, min); err != nil {
		return errNotReady
	}
	return nil
}
