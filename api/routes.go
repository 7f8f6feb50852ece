package api

import "net/http"

// routes registers every route of the API.
func (s *server) routes(mux *http.ServeMux) {
	// Read models (public unless Private).
	mux.Handle("GET /v1/partnerships", s.h(s.handleList))
	mux.Handle("GET /v1/partnerships/{id}", s.h(s.handleState))
	mux.Handle("GET /v1/partnerships/{id}/{model}", s.h(s.handleModel))
	mux.Handle("GET /v1/partnerships/{id}/events", s.h(s.handlePartnershipEvents))
	mux.Handle("GET /v1/partnerships/{id}/review-pack", s.h(s.handleReviewPack))

	// Recording.
	mux.Handle("POST /v1/partnerships/{id}/events", s.h(s.handleRecord))

	// The global log and its proofs.
	mux.Handle("GET /v1/events", s.h(s.handleEvents))
	mux.Handle("GET /v1/events/{id}", s.h(s.handleEvent))
	mux.Handle("GET /v1/events/{id}/proof", s.h(s.handleProof))
	mux.Handle("GET /v1/stream", s.h(s.handleStream))

	// Audit.
	mux.Handle("GET /v1/audit/tree-head", s.h(s.handleTreeHead))
	mux.Handle("GET /v1/audit/consistency", s.h(s.handleConsistency))
	mux.Handle("GET /v1/audit/verify", s.h(s.handleVerify))
	mux.Handle("GET /v1/audit/key", s.h(s.handleKey))

	// Administration.
	mux.Handle("POST /v1/admin/tokens", s.h(s.handleIssueToken))
	mux.Handle("DELETE /v1/admin/tokens/{id}", s.h(s.handleRevokeToken))
	mux.Handle("GET /v1/admin/backup", s.h(s.handleBackup))

	// Operations and documentation.
	mux.Handle("GET /healthz", http.HandlerFunc(s.handleHealthz))
	mux.Handle("GET /readyz", s.h(s.handleReadyz))
	mux.Handle("GET /metrics", http.HandlerFunc(s.handleMetrics))
	mux.Handle("GET /openapi.json", http.HandlerFunc(handleOpenAPI))

	// Anything else under /v1 is a problem, not a page.
	mux.Handle("/v1/", s.h(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	if s.Pages != nil {
		mux.Handle("/", s.Pages)
	} else {
		mux.Handle("GET /{$}", http.HandlerFunc(s.handleIndex))
	}
}
