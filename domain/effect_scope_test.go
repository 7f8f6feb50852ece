package domain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/refdata"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

// TestApplyEffectScopedIsWhole: ApplyEffect lists only the facts an event can touch (so that
// replay is linear, not quadratic, in a history's length); over the demo's histories (corrections,
// retractions, designations, withdrawals) and a generated ledger's, every event's Effect must equal
// the one computed over every fact of the touched kinds.
func TestApplyEffectScopedIsWhole(t *testing.T) {
	ctx := context.Background()
	for name, seed := range map[string]func(eventstore.Store) error{
		"demo": func(s eventstore.Store) error { _, err := demo.SeedStore(ctx, s); return err },
		"generated": func(s eventstore.Store) error {
			return refdata.Generate(ctx, s, refdata.Options{Partnerships: 2, Events: 2000})
		},
	} {
		t.Run(name, func(t *testing.T) {
			store := memstore.New(memstore.Options{})
			require.NoError(t, seed(store))
			histories := map[string][]domain.Recorded{}
			for e, err := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
				require.NoError(t, err)
				r, err := recording.FromEvent(e)
				require.NoError(t, err)
				slug := strings.TrimPrefix(e.Stream, domain.StreamPrefix)
				histories[slug] = append(histories[slug], r)
			}
			require.NotEmpty(t, histories)
			compared := 0
			for slug, h := range histories {
				scoped, whole := domain.NewState(), domain.NewState()
				for _, e := range domain.EffectiveView(h) {
					got, want := scoped.ApplyEffect(e), domain.ApplyEffectWhole(whole, e)
					require.Equal(t, want, got, "%s: event %s (%s)", slug, e.ID, e.Type)
					compared++
				}
			}
			require.Greater(t, compared, 20)
		})
	}
}
