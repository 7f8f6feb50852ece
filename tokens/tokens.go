// Package tokens is the ledger's store of API tokens: who may call the HTTP API, in which role, and
// as which actor. Tokens are issued and revoked as events of the stream ledger-tokens (Stream), so a
// server and the offline command `ledger token` share them through the event store; only SHA-256
// hashes of tokens are stored.
//
// Import rules: tokens sits beside domain/recording and projections: it imports eventstore, domain
// and fault, and never projections, audit, reviewpack, api or cmd.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// Stream is the stream that records every issued and revoked API token.
const Stream = "ledger-tokens"

// Token event types in Stream.
const (
	TypeIssued  = "TokenIssued"
	TypeRevoked = "TokenRevoked"
)

// Roles, from most to least powerful.
const (
	RoleAdmin    = "admin"    // tokens and backups, and everything below
	RoleRecorder = "recorder" // append events
	RoleAuditor  = "auditor"  // read everything, verify, export
	RoleReader   = "reader"   // read partnership projections
)

// ValidRole reports whether r is one of the four roles.
func ValidRole(r string) bool {
	return r == RoleAdmin || r == RoleRecorder || r == RoleAuditor || r == RoleReader
}

// Principal is who a valid token speaks for.
type Principal struct {
	TokenID uuid.UUID `json:"token_id"`
	Role    string    `json:"role"`
	Actor   string    `json:"actor"`
}

// Can reports whether the principal's role allows what need asks for.
func (p Principal) Can(need string) bool {
	switch need {
	case RoleReader:
		return true
	case RoleAuditor:
		return p.Role == RoleAuditor || p.Role == RoleAdmin
	case RoleRecorder:
		return p.Role == RoleRecorder || p.Role == RoleAdmin
	case RoleAdmin:
		return p.Role == RoleAdmin
	}
	return false
}

type tokenData struct {
	TokenID     uuid.UUID `json:"token_id"`
	Role        string    `json:"role,omitempty"`
	Actor       string    `json:"actor,omitempty"`
	TokenSHA256 string    `json:"token_sha256,omitempty"`
}

// Store is the set of valid API tokens, folded from Stream. Only SHA-256 hashes of tokens are
// stored, in events and in memory. Safe for concurrent use.
type Store struct {
	store eventstore.Store
	now   func() time.Time

	mu      sync.Mutex
	byHash  map[string]Principal
	byID    map[uuid.UUID]string // token id → hash; revoked ids are removed
	known   map[uuid.UUID]bool   // every id ever issued
	last    uint64               // last revision folded
	seen    bool                 // the stream has at least one event
	checked time.Time            // when the stream was last read
}

// New returns the token set over store; it reads the stream on first use.
func New(store eventstore.Store, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{store: store, now: now, byHash: map[string]Principal{}, byID: map[uuid.UUID]string{}, known: map[uuid.UUID]bool{}}
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Load reads Stream now, so that a server can refuse to start on a token stream it cannot read
// (a damaged store: an error matching eventstore.ErrDamaged) instead of failing its first request.
func (t *Store) Load(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.refresh(ctx)
}

// refresh folds events of Stream recorded since the last read. Call with mu held.
func (t *Store) refresh(ctx context.Context) error {
	from := eventstore.Start
	if t.seen {
		from = eventstore.AfterRevision(t.last)
	}
	for e, err := range t.store.ReadStream(ctx, Stream, from, eventstore.Forward, 0) {
		if err != nil {
			return fmt.Errorf("read %s: %w", Stream, err)
		}
		var d tokenData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return fmt.Errorf("%s revision %d: %w", Stream, e.Revision, err)
		}
		switch e.Type {
		case TypeIssued:
			t.byHash[d.TokenSHA256] = Principal{TokenID: d.TokenID, Role: d.Role, Actor: d.Actor}
			t.byID[d.TokenID] = d.TokenSHA256
			t.known[d.TokenID] = true
		case TypeRevoked:
			if h, ok := t.byID[d.TokenID]; ok {
				delete(t.byHash, h)
				delete(t.byID, d.TokenID)
			}
		}
		t.last, t.seen = e.Revision, true
	}
	t.checked = t.now()
	return nil
}

// Authenticate returns the principal of a token, or false when it is unknown or revoked. Tokens
// issued or revoked by another process are seen within a second.
func (t *Store) Authenticate(ctx context.Context, token string) (Principal, bool, error) {
	h := hashToken(token)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.now().Sub(t.checked) > time.Second || t.checked.IsZero() {
		if err := t.refresh(ctx); err != nil {
			return Principal{}, false, err
		}
	}
	// The map is keyed by SHA-256 of the token, so a lookup's timing says nothing about any token.
	p, ok := t.byHash[h]
	return p, ok, nil
}

// Issued is a new token: the secret is shown once and never stored.
type Issued struct {
	Token   string    `json:"token"`
	TokenID uuid.UUID `json:"token_id"`
	Role    string    `json:"role"`
	Actor   string    `json:"actor"`
}

// CheckActor reports what is wrong with an actor name (the recorded_by of what a token records), once
// ASCII white space around it is trimmed (domain.TrimASCIISpace: a C1 control such as U+0085 is
// refused, not trimmed): the one rule for actor names, eventstore.ActorProblem, so a token is never
// issued for an actor its own events would be refused for. The error is a *fault.Error
// (fault.Malformed) at /actor.
func CheckActor(actor string) error {
	if msg := eventstore.ActorProblem(domain.TrimASCIISpace(actor)); msg != "" {
		return fault.BadValue("/actor", "actor %s", msg)
	}
	return nil
}

// Issue creates a token for actor with role, recording a TokenIssued event by `by`. It refuses an
// unknown role or an empty actor with a *fault.Error (fault.Malformed) at /role or /actor.
func (t *Store) Issue(ctx context.Context, role, actor, by string) (Issued, error) {
	if !ValidRole(role) {
		return Issued{}, fault.BadValue("/role", "role %q is not one of admin, recorder, auditor, reader", role)
	}
	actor = domain.TrimASCIISpace(actor)
	if err := CheckActor(actor); err != nil {
		return Issued{}, err
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return Issued{}, err
	}
	token := "pl_" + base64.RawURLEncoding.EncodeToString(secret[:])
	id := eventstore.NewID()
	data, _ := json.Marshal(tokenData{TokenID: id, Role: role, Actor: actor, TokenSHA256: hashToken(token)})
	if err := t.append(ctx, TypeIssued, data, by); err != nil {
		return Issued{}, err
	}
	return Issued{Token: token, TokenID: id, Role: role, Actor: actor}, nil
}

// Revoke records a TokenRevoked event for the token id. It returns a *fault.Error (fault.NotFound)
// for an id never issued or already revoked.
func (t *Store) Revoke(ctx context.Context, id uuid.UUID, by string) error {
	t.mu.Lock()
	err := t.refresh(ctx)
	_, live := t.byID[id]
	t.mu.Unlock()
	if err != nil {
		return err
	}
	if !live {
		return fault.Errorf(fault.NotFound, "no token %s is live (never issued, or already revoked)", id)
	}
	data, _ := json.Marshal(tokenData{TokenID: id})
	return t.append(ctx, TypeRevoked, data, by)
}

func (t *Store) append(ctx context.Context, typ string, data []byte, by string) error {
	e := eventstore.Event{
		ID: eventstore.NewID(), Type: typ, EffectiveOn: domain.LondonDate(t.now()).String(), RecordedBy: by,
		Sources: json.RawMessage(`[{"kind":"web","title":"ledger API credentials"}]`), Certainty: "confirmed", Data: data,
	}
	if _, err := t.store.Append(ctx, Stream, eventstore.Any, e); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.refresh(ctx)
}
