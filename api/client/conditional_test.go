package client_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
)

// lastRevision is the revision of the partnership's last event, read through the client.
func lastRevision(t *testing.T, c *client.Client, slug string) uint64 {
	t.Helper()
	var last uint64
	n := 0
	for e, err := range c.PartnershipEvents(context.Background(), slug, 1<<62) {
		require.NoError(t, err)
		last, n = e.Revision, n+1
	}
	require.NotZero(t, n, "the partnership has events")
	return last
}

func savingsRequest(pence int) client.RecordRequest {
	return client.RecordRequest{Type: domain.TypeSavingsReported, EffectiveOn: "2016-03-01", Certainty: "reported",
		Sources: []domain.SourceRef{{Kind: domain.SourcePress, Title: "EDP, 1 March 2016"}},
		Data: map[string]any{"council": "north-norfolk", "financial_year": 2015, "category": "shared management",
			"amount_pence": pence, "status": "forecast", "period_to": "2016-03-31"}}
}

// A conditional record on a real server (RFC 9110 §13.1.1): the current revision's entity-tag
// records and answers the next; a stale one, or a weak one, is a typed 412 carrying the current ETag
// and revision, and records nothing; "*" records.
func TestClientRecordIfMatch(t *testing.T) {
	demo := startDemoServer()
	t.Cleanup(demo.stop)
	c, err := client.New(demo.URL, demo.Recorder)
	require.NoError(t, err)
	ctx := context.Background()
	rev := lastRevision(t, c, gnn)
	tag := fmt.Sprintf(`"%d"`, rev)

	first, err := c.Record(ctx, gnn, savingsRequest(4200000), client.RecordOptions{IfMatch: tag})
	require.NoError(t, err)
	assert.Equal(t, rev+1, first.Event.Revision)
	assert.Equal(t, fmt.Sprintf(`"%d"`, rev+1), first.ETag)

	for _, stale := range []string{tag, "W/" + first.ETag} {
		_, err = c.Record(ctx, gnn, savingsRequest(4300000), client.RecordOptions{IfMatch: stale})
		var p *client.Problem
		require.True(t, errors.As(err, &p), "%s: %v", stale, err)
		assert.True(t, p.IsPreconditionFailed(), "%s: %v", stale, err)
		assert.Equal(t, first.ETag, p.ETag, stale)
		require.NotNil(t, p.CurrentRevision, stale)
		assert.Equal(t, rev+1, *p.CurrentRevision, stale)
		require.NotEmpty(t, p.Fields, stale)
		assert.Equal(t, "If-Match", p.Fields[0].Header, stale)
		assert.Equal(t, fault.PreconditionFailed, fault.KindOf(err), stale)
	}
	assert.Equal(t, rev+1, lastRevision(t, c, gnn), "a refused record records nothing")

	next, err := c.Record(ctx, gnn, savingsRequest(4400000), client.RecordOptions{IfMatch: first.ETag})
	require.NoError(t, err)
	assert.Equal(t, rev+2, next.Event.Revision)
	any, err := c.Record(ctx, gnn, savingsRequest(4500000), client.RecordOptions{IfMatch: "*"})
	require.NoError(t, err)
	assert.Equal(t, rev+3, any.Event.Revision)
}
