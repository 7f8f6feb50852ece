package tokens_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/tokens"
)

// TestIssueAuthenticateRevoke: a token issued by one Store (ledger token, offline) is known to
// another over the same event store (a server), and stops working once revoked; only its hash is
// stored.
func TestIssueAuthenticateRevoke(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	offline, server := tokens.New(store, nil), tokens.New(store, nil)
	issued, err := offline.Issue(ctx, tokens.RoleAuditor, "  External auditor ", "cli:admin")
	require.NoError(t, err)
	assert.Equal(t, "External auditor", issued.Actor, "ASCII space around the actor is trimmed")

	require.NoError(t, server.Load(ctx))
	p, ok, err := server.Authenticate(ctx, issued.Token)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, tokens.Principal{TokenID: issued.TokenID, Role: tokens.RoleAuditor, Actor: "External auditor"}, p)
	assert.True(t, p.Can(tokens.RoleReader))
	assert.True(t, p.Can(tokens.RoleAuditor))
	assert.False(t, p.Can(tokens.RoleRecorder))

	for e, err := range store.ReadStream(ctx, tokens.Stream, eventstore.Start, eventstore.Forward, 0) {
		require.NoError(t, err)
		assert.NotContains(t, string(e.Data), issued.Token, "the secret is never stored")
	}

	require.NoError(t, offline.Revoke(ctx, issued.TokenID, "cli:admin"))
	_, ok, err = tokens.New(store, nil).Authenticate(ctx, issued.Token)
	require.NoError(t, err)
	assert.False(t, ok, "a revoked token is refused")

	err = offline.Revoke(ctx, issued.TokenID, "cli:admin")
	assert.Equal(t, fault.NotFound, fault.KindOf(err), "revoking twice: %v", err)
}

func TestIssueRefusesBadInputByPointer(t *testing.T) {
	ts := tokens.New(memstore.New(memstore.Options{}), nil)
	tests := []struct{ role, actor, pointer string }{
		{"superuser", "Clerk", "/role"},
		{tokens.RoleReader, "   ", "/actor"},
		{tokens.RoleReader, "Clerk\u0085", "/actor"},
	}
	for _, tt := range tests {
		_, err := ts.Issue(context.Background(), tt.role, tt.actor, "test")
		assert.Equal(t, fault.Malformed, fault.KindOf(err), "%q %q: %v", tt.role, tt.actor, err)
		assert.Equal(t, tt.pointer, fault.Pointer(err))
	}
}
