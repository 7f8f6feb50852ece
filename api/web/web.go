// Package web serves the pages for people: server-rendered HTML over the read models, with forms for
// a signed-in clerk to record, correct and retract events through the same recorder (and the same
// validation and messages) as the JSON API. No JavaScript is needed; the CSS is embedded.
package web

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Authenticate checks a token pasted at /signin (and again on every request of a signed-in clerk,
// so a revoked token stops working at once). It returns who the token speaks for and their role
// (admin, recorder, auditor, reader); ok is false for an unknown or revoked token. The HTTP API wires
// it to its token store, e.g.
//
//	func(r *http.Request, tok string) (string, string, bool) {
//		p, ok, err := tokens.Authenticate(r.Context(), tok)
//		return p.Actor, p.Role, ok && err == nil
//	}
type Authenticate func(r *http.Request, token string) (actor, role string, ok bool)

// Config holds what the pages need. Models, Log and Store are required; without Recorder or
// Authenticate the pages are read-only.
type Config struct {
	Models       *projections.Models // kept current by a projections.Runner the caller runs
	Recorder     *recording.Service
	Log          *audit.Log // kept current by the caller (Log.Run)
	Store        eventstore.Store
	Authenticate Authenticate
	Now          func() time.Time
	Logger       *slog.Logger
	// Private requires a signed-in session (any role) for every page but sign-in, like the API's
	// Private for reads.
	Private bool
	// SessionMaxAge ends a signed-in session this long after sign-in, whatever it does (default
	// DefaultSessionMaxAge, 12 hours); SessionIdle ends it after this long without a request (default
	// DefaultSessionIdle, 1 hour). Both are enforced on the server with Now.
	SessionMaxAge time.Duration
	SessionIdle   time.Duration
	// Packs, when set, renders the review-pack downloads (package api's Packs.Render: cached, and
	// limited per caller); an error with a RetryAfter() time.Duration method is answered 429 with
	// Retry-After. Default: build and render each time.
	Packs func(r *http.Request, opts reviewpack.Options, format string) ([]byte, error)
	// AllowWrite, when set, is asked before a signed-in clerk's form records anything, with the
	// session's token (package api's Limiter.AllowWrite for that token's caller); an error with a
	// RetryAfter() time.Duration method is answered 429 with Retry-After and nothing is recorded.
	AllowWrite func(r *http.Request, token string) error
	// Schema, when set, is the API's OpenAPI document (package api's OpenAPI()): the record forms
	// take each field's hint from its member's description there. Nil: the forms' own hints only.
	Schema []byte
	// ProofURL, when set, is the path of the JSON proof of an event with "{id}" replaced; default
	// "/v1/events/{id}/proof" (served by package api).
	ProofURL string
}

// Roles that may record through the pages.
var canRecord = map[string]bool{"recorder": true, "admin": true}

type server struct {
	Config
	tmpl *template.Template

	secret [32]byte // random per server: the key of signinToken

	mu       sync.Mutex
	sessions map[string]*session

	docs schemaDocs // the descriptions of Config.Schema's components, for the forms' hints
}

// session is a signed-in browser: the token it pasted, its CSRF token, when it signed in and when it
// was last seen.
type session struct {
	token             string
	csrf              string
	created, lastSeen time.Time
}

// New returns the handler of the pages. It is safe for concurrent use.
func New(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionMaxAge <= 0 {
		cfg.SessionMaxAge = DefaultSessionMaxAge
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.ProofURL == "" {
		cfg.ProofURL = "/v1/events/{id}/proof"
	}
	s := &server{Config: cfg, sessions: map[string]*session{}, docs: parseSchemaDocs(cfg.Schema)}
	_, _ = rand.Read(s.secret[:]) // crypto/rand.Read never fails (Go 1.24+)
	if s.Packs == nil {
		s.Packs = s.buildPack
	}
	s.tmpl = template.Must(template.New("").Funcs(s.funcs()).ParseFS(templateFS, "templates/*.html"))
	mux := http.NewServeMux()
	s.routes(mux)
	return securityHeaders(mux)
}

// routes registers every page.
func (s *server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.Handle("GET /{$}", s.reader(s.handleList))
	mux.Handle("GET /partnerships/{id}", s.reader(s.handlePartnership))
	mux.Handle("GET /partnerships/{id}/{file}", s.reader(s.handlePack))
	mux.HandleFunc("GET /partnerships/{id}/record", s.handleRecordForm)
	mux.HandleFunc("POST /partnerships/{id}/record", s.handleRecord)
	mux.HandleFunc("GET /partnerships/new", s.handleRecordForm)
	mux.HandleFunc("POST /partnerships/new", s.handleRecord)
	mux.Handle("GET /events/{id}", s.reader(s.handleEvent))
	mux.HandleFunc("GET /events/{id}/correct", s.handleCorrectForm)
	mux.HandleFunc("POST /events/{id}/correct", s.handleCorrect)
	mux.HandleFunc("GET /events/{id}/retract", s.handleRetractForm)
	mux.HandleFunc("POST /events/{id}/retract", s.handleRetract)
	mux.HandleFunc("GET /signin", s.handleSignInForm)
	mux.HandleFunc("POST /signin", s.handleSignIn)
	mux.HandleFunc("POST /signout", s.handleSignOut)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); len(allow) > 0 {
			// A page at this address, with another method (RFC 9110 §15.5.6), as the API answers.
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.renderError(w, r, http.StatusMethodNotAllowed, "Method not allowed",
				"This page is not used that way: it answers "+strings.Join(allow, ", ")+" only.")
			return
		}
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
}

// allowed lists the methods the pages of mux answer at r's address, besides the catch-all: empty
// when there is no page there.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return out
}

// reader lets anyone read, or on a private server only a signed-in session.
func (s *server) reader(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Private {
			if _, u := s.current(r); u == nil {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		h(w, r)
	})
}

// securityHeaders sets headers every page carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
