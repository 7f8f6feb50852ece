package api

import "net/http"

// routes registers every route of the API.
func (s *server) routes(mux *http.ServeMux) {
	handle := func(pattern string, h http.Handler) { s.metrics.handle(mux, pattern, h) }
	// Read models (public unless Private).
	handle("GET /v1/partnerships", s.h(s.handleList))
	handle("GET /v1/partnerships/{id}", s.h(s.handleState))
	handle("GET /v1/partnerships/{id}/{model}", s.h(s.handleModel))
	handle("GET /v1/partnerships/{id}/events", s.h(s.handlePartnershipEvents))
	handle("GET /v1/partnerships/{id}/review-pack", s.h(s.handleReviewPack))

	// Recording.
	handle("POST /v1/partnerships/{id}/events", s.h(s.handleRecord))

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
