package api

import (
	"net/http"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
)

// routes registers every route of the API.
func (s *server) routes(mux *http.ServeMux) {
	handle := func(pattern string, h http.Handler) { s.metrics.handle(mux, pattern, h) }
	// Read models (public unless Private).
	handle("GET /v1/partnerships", s.h(s.handleList))
	handle("GET /v1/partnerships/{id}", s.h(s.partnership(s.handleState)))
	handle("GET /v1/partnerships/{id}/{model}", s.h(s.partnership(s.handleModel)))
	handle("GET /v1/partnerships/{id}/events", s.h(s.partnership(s.handlePartnershipEvents)))
	handle("GET /v1/partnerships/{id}/review-pack", s.h(s.partnership(s.handleReviewPack)))

	// Recording.
	handle("POST /v1/partnerships/{id}/events", s.h(s.partnership(s.handleRecord)))

	// The global log and its proofs.
	handle("GET /v1/events", s.h(s.handleEvents))
	handle("GET /v1/events/{id}", s.h(s.handleEvent))
	handle("GET /v1/events/{id}/proof", s.h(s.handleProof))
	handle("GET /v1/stream", s.h(s.handleStream))

	// Audit.
	handle("GET /v1/audit/tree-head", s.h(s.handleTreeHead))
	handle("GET /v1/audit/consistency", s.h(s.handleConsistency))
	handle("GET /v1/audit/verify", s.h(s.handleVerify))
	handle("GET /v1/audit/key", s.h(s.handleKey))
	handle("GET /checkpoint", s.h(s.handleCheckpoint)) // C2SP tlog-checkpoint: where transparency tools look

	// Administration.
	handle("POST /v1/admin/tokens", s.h(s.handleIssueToken))
	handle("DELETE /v1/admin/tokens/{id}", s.h(s.handleRevokeToken))
	handle("GET /v1/admin/backup", s.h(s.handleBackup))

	// Operations and documentation.
	handle("GET /healthz", http.HandlerFunc(s.handleHealthz))
	handle("GET /readyz", s.h(s.handleReadyz))
	handle("GET /metrics", s.h(s.handleMetrics))
	handle("GET /openapi.json", http.HandlerFunc(handleOpenAPI))

	// Anything else under /v1 is a problem, not a page.
	handle("/v1/", s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	if s.Pages != nil {
		handle("/", s.Pages)
	} else {
		handle("GET /{$}", http.HandlerFunc(s.handleIndex))
	}
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
