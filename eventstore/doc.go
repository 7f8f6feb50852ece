// Package eventstore defines the ledger's event envelope, the Store contract every backend honours,
// the canonical JSON form of payloads (RFC 8785) and the ledger-event-v1 hash chain.
//
// It knows nothing of partnerships: domain/ gives events their meaning, and the adapters
// (eventstore/bolt, eventstore/kurrentdb) give them a home, chosen only in cmd. docs/integrity.md
// fixes the byte layout.
//
// Import rules: it imports only fault and github.com/google/uuid, never domain (internal/layers tests
// this).
package eventstore
