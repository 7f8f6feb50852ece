package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
)

// route is one operation of the API: its method, its path (a net/http.ServeMux pattern), the query
// parameters it reads (any other is refused: checkQuery) and its handler. The table is the
// document's list of operations and their "in: query" parameters (api/openapi.src.json; a test holds
// the two equal).
type route struct {
	method  string
	path    string
	query   []string
	handler http.Handler
}

// The query parameters shared by several routes.
var (
	readParams = []string{"as_of", "known_at", "min_seq"} // the two time axes, and read-your-writes
	pageParams = []string{"after", "limit"}               // a page of events
)

// readModels are the read models served at /v1/partnerships/{id}/{model}.
var readModels = []string{"appointments", "services", "savings", "decisions", "timeline"}

// table is every route of the API, in the document's order.
func (s *server) table() []route {
	rs := []route{
		// Read models (public unless Private).
		{"GET", "/v1/partnerships", readParams, s.h(s.handleList)},
		{"GET", "/v1/partnerships/{id}", readParams, s.h(s.partnership(s.handleState))},
	}
	for _, m := range readModels {
		rs = append(rs, route{"GET", "/v1/partnerships/{id}/" + m, readParams, s.h(s.partnership(s.modelHandler(m)))})
	}
	return append(rs, []route{
		{"GET", "/v1/partnerships/{id}/events", pageParams, s.h(s.partnership(s.handlePartnershipEvents))},
		{"POST", "/v1/partnerships/{id}/events", nil, s.h(s.partnership(s.handleRecord))},
		{"GET", "/v1/partnerships/{id}/review-pack", []string{"format", "as_of", "known_at", "min_seq", "committee", "meeting", "author", "since"},
			s.h(s.partnership(s.handleReviewPack))},

		// The global log and its proofs.
		{"GET", "/v1/events", pageParams, s.h(s.handleEvents)},
		{"GET", "/v1/events/{id}", nil, s.h(s.handleEvent)},
		{"GET", "/v1/events/{id}/proof", nil, s.h(s.handleProof)},
		{"GET", "/v1/stream", []string{"after"}, s.h(s.handleStream)},

		// Audit.
		{"GET", "/v1/audit/tree-head", []string{"size"}, s.h(s.handleTreeHead)},
		{"GET", "/v1/audit/consistency", []string{"from", "to"}, s.h(s.handleConsistency)},
		{"GET", "/v1/audit/verify", nil, s.h(s.handleVerify)},
		{"GET", "/v1/audit/key", nil, s.h(s.handleKey)},
		{"GET", "/checkpoint", nil, s.h(s.handleCheckpoint)}, // C2SP tlog-checkpoint: where transparency tools look

		// Administration.
		{"POST", "/v1/admin/tokens", nil, s.h(s.handleIssueToken)},
		{"DELETE", "/v1/admin/tokens/{id}", nil, s.h(s.handleRevokeToken)},
		{"GET", "/v1/admin/backup", nil, s.h(s.handleBackup)},

		// Operations and documentation.
		{"GET", "/healthz", nil, http.HandlerFunc(s.handleHealthz)},
		{"GET", "/readyz", nil, s.h(s.handleReadyz)},
		{"GET", "/metrics", nil, s.h(s.handleMetrics)},
		{"GET", "/openapi.json", nil, s.h(handleOpenAPI)},
	}...)
}

// routes registers every route of the API: each operation of the table as "METHOD path", refusing
// unknown query parameters; for each path, every other method answered 405 with Allow (RFC 9110
// §15.5.6); then the catch-alls, a 404 problem under /v1/ and the pages (or the index) at /.
func (s *server) routes(mux *http.ServeMux) {
	handle := func(pattern string, h http.Handler) { s.metrics.handle(mux, pattern, h) }
	var paths []string
	allow := map[string][]string{}
	for _, rt := range s.table() {
		handle(rt.method+" "+rt.path, s.checkQuery(rt.query, rt.handler))
		if _, ok := allow[rt.path]; !ok {
			paths = append(paths, rt.path)
		}
		allow[rt.path] = append(allow[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allow[rt.path] = append(allow[rt.path], http.MethodHead) // ServeMux answers HEAD with GET's handler
		}
	}
	for _, p := range paths {
		handle(p, s.notAllowed(allow[p]...))
	}

	// A read model that does not exist is a 404 naming the ones that do, whatever the method.
	handle("/v1/partnerships/{id}/{model}", s.h(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("no read model %q (%s)", r.PathValue("model"), strings.Join(readModels, ", "))
	}))
	// Anything else under /v1 is a problem, not a page.
	handle("/v1/", s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	if s.Pages != nil {
		handle("/", s.Pages)
	} else {
		handle("GET /{$}", http.HandlerFunc(s.handleIndex))
		handle("/{$}", s.notAllowed(http.MethodGet, http.MethodHead))
	}
}

// notAllowed answers every request 405 with Allow: allow (RFC 9110 §15.5.6), as a problem.
func (s *server) notAllowed(allow ...string) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		return &methodNotAllowed{method: r.Method, allow: allow}
	})
}

// checkQuery runs next once the request's query string reads (RFC 3986, as url.ParseQuery reads it:
// no stray "%", no ";") and names only parameters in names; otherwise it answers 400 naming each
// parameter the route does not take, and the ones it does ("asof is not a parameter of this route;
// it takes as_of, known_at, min_seq"), so that a misspelt parameter is never silently ignored.
func (s *server) checkQuery(names []string, next http.Handler) http.Handler {
	takes := "it takes none"
	if len(names) > 0 {
		takes = "it takes " + strings.Join(names, ", ")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.writeError(w, r, fault.Errorf(fault.Malformed, "the query string does not read (RFC 3986: name=value pairs joined by &, with %%XX escapes): %s", echoed(r.URL.RawQuery)))
			return
		}
		var unknown []string
		for name := range q {
			if !slices.Contains(names, name) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			f := &fault.Error{Kind: fault.Malformed}
			for _, name := range unknown {
				msg := fmt.Sprintf("%s is not a parameter of this route; %s", paramName(name), takes)
				if f.Message == "" {
					f.Message = msg
				}
				f.Param(name, msg)
			}
			s.writeError(w, r, f)
			return
		}
		if err := nonEmpty(q); err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// paramValues says, for each query parameter of the table, what a value of it is: what an empty
// one (as_of= or a bare as_of) is told to give instead.
var paramValues = map[string]string{
	"as_of":     "a date YYYY-MM-DD",
	"known_at":  "a seq, an RFC 3339 time or a date YYYY-MM-DD",
	"min_seq":   "a seq (a whole number)",
	"after":     "a revision or seq (a whole number)",
	"limit":     "a page size, 1 to 1000",
	"size":      "a tree size (a whole number)",
	"from":      "a tree size (a whole number)",
	"to":        "a tree size (a whole number)",
	"format":    "one of html, pdf, md, json",
	"committee": "the committee's name",
	"meeting":   "BODY=YYYY-MM-DD",
	"author":    "the author's name",
	"since":     "a seq, an RFC 3339 time or a date YYYY-MM-DD",
}

// nonEmpty refuses (400 naming the parameter) a query parameter given with an empty value (as_of=,
// or as_of alone), which would otherwise read as left out and silently answer with its default:
// "as_of is empty: give a date YYYY-MM-DD or leave the parameter out". The first such parameter
// by name is named.
func nonEmpty(q url.Values) error {
	var empty []string
	for name, vs := range q {
		if slices.Contains(vs, "") {
			empty = append(empty, name)
		}
	}
	if len(empty) == 0 {
		return nil
	}
	name := slices.Min(empty)
	what := paramValues[name]
	if what == "" {
		what = "a value"
	}
	if strings.Contains(what, " or ") {
		what += "," // "give a seq ... or a date YYYY-MM-DD, or leave the parameter out"
	}
	return fault.BadParam(name, "%s is empty: give %s or leave the parameter out", name, what)
}

// paramName is a query parameter's name as a problem names it: as sent when it is made of letters,
// digits, "_", "-" and ".", else quoted with escapes (echoed).
func paramName(name string) string {
	if name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == "" && len(name) <= maxEchoed {
		return name
	}
	return strconv.Quote(echoed(name))
}

// partnership runs fn for a route whose path parameter {id} names a partnership, once the parameter
// is a well-formed partnership slug: a malformed one is a bad path parameter (400, the problem names
// the parameter "id"), checked before anything else; a well-formed slug with nothing recorded is
// for fn to answer (404).
func (s *server) partnership(fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := domain.ParsePartnershipSlug(r.PathValue("id")); err != nil {
			return fault.BadParam("id", "the path parameter {id}, %v", err)
		}
		return fn(w, r)
	}
}
