package tokens_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/tokens"
)

// TestTokenEventsTakeEffectOnTheLondonDay: a token issued at 23:30 UTC on 30 June 2016 (00:30 BST) is
// effective on 1 July, the day in Europe/London, as every other day the ledger names (was the UTC date).
func TestTokenEventsTakeEffectOnTheLondonDay(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2016, 6, 30, 23, 30, 0, 0, time.UTC)
	store := memstore.New(memstore.Options{Now: func() time.Time { return at }})
	ts := tokens.New(store, func() time.Time { return at })
	_, err := ts.Issue(ctx, "reader", "Clerk", "test")
	require.NoError(t, err)
	n := 0
	for e, err := range store.ReadStream(ctx, tokens.Stream, eventstore.Start, eventstore.Forward, 0) {
		require.NoError(t, err)
		assert.Equal(t, "2016-07-01", e.EffectiveOn)
		n++
	}
	assert.Equal(t, 1, n)
}
