package recording_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
)

var src = []domain.SourceRef{{Kind: domain.SourceMinutes, Title: "Minutes"}}

func cmd(typ, eff, data string) domain.Command {
	return domain.Command{Partnership: "gy-nn", Type: typ, EffectiveOn: eff, Sources: src, Certainty: "confirmed",
		Data: json.RawMessage(data)}
}

const proposal = `{"name":"GY and NN","purpose":"share senior managers","partners":[
 {"council":"great-yarmouth","name":"Great Yarmouth Borough Council","kind":"borough"},
 {"council":"north-norfolk","name":"North Norfolk District Council","kind":"district"}]}`

const target = `{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4000000}`

var clock = func() time.Time { return time.Date(2016, 6, 1, 12, 0, 0, 0, time.UTC) }

func started(t *testing.T) (*memstore.Store, *recording.Service) {
	t.Helper()
	t0, n := time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC), 0
	store := memstore.New(memstore.Options{Now: func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }})
	svc := recording.New(store, clock)
	_, err := svc.Record(context.Background(), "alice", cmd(domain.TypePartnershipProposed, "2015-10-01", proposal), nil)
	require.NoError(t, err)
	return store, svc
}

func TestRecordStoresTheEnvelope(t *testing.T) {
	store, svc := started(t)
	c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
	c.CorrelationID = uuid.MustParse("0190f3a4-0000-7000-8000-000000000011")
	res, err := svc.Record(context.Background(), "bob", c, nil)
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	e := res.Events[0]
	assert.Equal(t, "partnership-gy-nn", e.Stream)
	assert.Equal(t, domain.TypeSavingsTargetSet, e.Type)
	assert.Equal(t, 1, e.Schema)
	assert.Equal(t, "2015-12-01", e.EffectiveOn)
	assert.Equal(t, "bob", e.RecordedBy)
	assert.Equal(t, clock(), e.RecordedAt)
	assert.Equal(t, "confirmed", e.Certainty)
	assert.Equal(t, c.CorrelationID, e.CorrelationID)
	assert.Equal(t, uint64(1), e.Revision)
	assert.Equal(t, uint64(2), e.Seq)
	assert.JSONEq(t, target, string(e.Data))
	head, err := store.Head(context.Background())
	require.NoError(t, err)
	assert.Equal(t, uint64(2), head.Seq)
}

func TestRecordedAtForOfflineSeeding(t *testing.T) {
	_, svc := started(t) // the proposal is recorded at clock()
	c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
	c.RecordedAt = clock().Add(time.Hour)
	res, err := svc.Record(context.Background(), "seed", c, nil)
	require.NoError(t, err)
	assert.Equal(t, c.RecordedAt, res.Events[0].RecordedAt)

	// recorded_at never goes back along the log: back-dated history is loaded before live events.
	back := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
	back.RecordedAt = time.Date(2015, 12, 2, 9, 0, 0, 0, time.UTC)
	_, err = svc.Record(context.Background(), "seed", back, nil)
	assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
}

func TestRefusedCommandsAppendNothing(t *testing.T) {
	tests := []struct {
		name string
		cmd  domain.Command
	}{
		{"1 non-partner", cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"broadland","financial_year":2015,"category":"x","amount_pence":1}`)},
		{"2 shares not 10000", cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"ce","basis":"fixed_ratio","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":3000}]}`)},
		{"5 approval without decision", cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07",
				"approvals":[{"council":"great-yarmouth","body":"cabinet","meeting":"2015-10-15","item":"9","raw":"Cabinet item 9"}]}`)},
		{"9 outcome without review", cmd(domain.TypeReviewOutcomeRecorded, "2016-06-30", `{"review":"june-2016","council":"north-norfolk","outcome":"continue","rationale":"fine"}`)},
		{"11 no sources", func() domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
			c.Sources = nil
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, svc := started(t)
			_, err := svc.Record(context.Background(), "alice", tt.cmd, nil)
			require.ErrorIs(t, err, domain.ErrValidation)
			head, err := store.Head(context.Background())
			require.NoError(t, err)
			assert.Equal(t, uint64(1), head.Seq, "something was appended")
		})
	}
}

func TestExpectedRevision(t *testing.T) {
	_, svc := started(t)
	stale := uint64(5)
	_, err := svc.Record(context.Background(), "alice", cmd(domain.TypeSavingsTargetSet, "2015-12-01", target), &stale)
	var ce *eventstore.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(0), ce.Actual)

	current := uint64(0)
	res, err := svc.Record(context.Background(), "alice", cmd(domain.TypeSavingsTargetSet, "2015-12-01", target), &current)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), res.Events[0].Revision)
}

func TestDecidesAgainAfterAnotherWriter(t *testing.T) {
	store, first := started(t)
	second := recording.New(store, clock)
	_, err := second.Record(context.Background(), "bob", cmd(domain.TypeSavingsTargetSet, "2015-12-01", target), nil)
	require.NoError(t, err)

	// first's cache is at revision 0; it reads only the newer event and appends at revision 2.
	res, err := first.Record(context.Background(), "alice", cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
		`{"council":"north-norfolk","financial_year":2015,"category":"implementation","amount_pence":100}`), nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), res.Events[0].Revision)

	// And its view of history includes bob's event: a duplicate review name is still caught.
	hist, err := first.History(context.Background(), "gy-nn")
	require.NoError(t, err)
	assert.Len(t, hist, 3)

	// With a stale expected revision given by the caller, the conflict is returned.
	stale := uint64(1)
	_, err = second.Record(context.Background(), "bob", cmd(domain.TypeSavingsTargetSet, "2015-12-03", target), &stale)
	assert.True(t, errors.Is(err, eventstore.ErrConflict))
}

func TestIdempotentRecord(t *testing.T) {
	store, svc := started(t)
	c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
	c.ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("idempotency-key-1"))
	first, err := svc.Record(context.Background(), "alice", c, nil)
	require.NoError(t, err)
	assert.False(t, first.Replayed)

	again, err := svc.Record(context.Background(), "alice", c, nil)
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, first.Events[0].Hash, again.Events[0].Hash)
	assert.Equal(t, first.Events[0].Seq, again.Events[0].Seq)

	// A fresh service (a restarted server) answers the same.
	fresh := recording.New(store, clock)
	third, err := fresh.Record(context.Background(), "alice", c, nil)
	require.NoError(t, err)
	assert.True(t, third.Replayed)
	assert.Equal(t, first.Events[0].Seq, third.Events[0].Seq)

	head, err := store.Head(context.Background())
	require.NoError(t, err)
	assert.Equal(t, uint64(2), head.Seq)

	c.Data = json.RawMessage(`{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":1}`)
	_, err = svc.Record(context.Background(), "alice", c, nil)
	require.ErrorIs(t, err, domain.ErrValidation)
}

func TestCacheReadsOnlyNewEvents(t *testing.T) {
	store, svc := started(t)
	for i := range 3 {
		_, err := svc.Record(context.Background(), "alice", cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
			`{"council":"north-norfolk","financial_year":2015,"category":"implementation","amount_pence":100}`), nil)
		require.NoError(t, err, "command %d", i)
	}
	hist, err := svc.History(context.Background(), "gy-nn")
	require.NoError(t, err)
	assert.Len(t, hist, 4)
	// one read per command (and one for History), each starting after the cached revision
	assert.Equal(t, 5, store.ReadStreamCalls())
}

// IdempotentID's ids are part of the API (an Idempotency-Key retried after an upgrade must find its
// event): this vector was computed by the function as it was in package api before it moved here.
func TestIdempotentIDIsStable(t *testing.T) {
	caller := "11111111-2222-4333-8444-555555555555"
	id := recording.IdempotentID(caller, "gy-nn-shared-management", "form-1")
	assert.Equal(t, "39cee1e7-e2fe-5600-84e2-b67b77c54b35", id.String())
	assert.NotEqual(t, id, recording.IdempotentID("page:someone", "gy-nn-shared-management", "form-1"), "keys are scoped to the caller")
	assert.NotEqual(t, id, recording.IdempotentID(caller, "other", "form-1"), "and to the partnership")
}
