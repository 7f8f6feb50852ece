package refdata_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/domain/refdata"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// TestGeneratedEventsPassEveryInvariant replays a small generated ledger through domain.Decide, one
// event at a time against the events before it: the generator must never produce what a clerk could
// not record.
func TestGeneratedEventsPassEveryInvariant(t *testing.T) {
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "ref.db"), bolt.Options{})
	require.NoError(t, err)
	defer store.Close()
	var progress []int
	require.NoError(t, refdata.Generate(ctx, store, refdata.Options{Partnerships: 3, Events: 1500, Progress: func(n int) { progress = append(progress, n) }}))
	assert.Equal(t, 1500, progress[len(progress)-1])

	histories := map[string][]domain.Recorded{}
	types := map[string]bool{}
	for e, err := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		slug := strings.TrimPrefix(e.Stream, domain.StreamPrefix)
		var sources []domain.SourceRef
		require.NoError(t, json.Unmarshal(e.Sources, &sources))
		cmd := domain.Command{Partnership: slug, Type: e.Type, EffectiveOn: e.EffectiveOn, Sources: sources,
			Certainty: e.Certainty, Data: e.Data}
		_, err = domain.Decide(histories[slug], cmd)
		require.NoError(t, err, "event seq %d (%s) breaks a rule", e.Seq, e.Type)
		r, err := recording.FromEvent(e)
		require.NoError(t, err)
		histories[slug] = append(histories[slug], r)
		types[e.Type] = true
	}
	assert.Len(t, histories, 3)
	for _, typ := range []string{domain.TypePartnershipProposed, domain.TypeDecisionTaken, domain.TypeJointAppointmentMade,
		domain.TypeCostShareAgreed, domain.TypeServiceSharingProposed, domain.TypeSavingsTargetSet, domain.TypeSavingsReported,
		domain.TypeOneOffCostIncurred} {
		assert.True(t, types[typ], "the mix includes %s", typ)
	}
	err = refdata.Generate(ctx, store, refdata.Options{Partnerships: 1, Events: 10})
	assert.ErrorContains(t, err, "not empty")
}
