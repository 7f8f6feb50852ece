package recording_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// openBolt opens a real bbolt store in a temporary directory, closed when the test ends.
func openBolt(t *testing.T) (*bolt.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := bolt.Open(path, bolt.Options{Now: clock})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

func boltStarted(t *testing.T) (*bolt.Store, *recording.Service) {
	t.Helper()
	store, _ := openBolt(t)
	svc := recording.New(store, clock)
	_, err := svc.Record(context.Background(), "alice", cmd(domain.TypePartnershipProposed, "2015-10-01", proposal), nil)
	require.NoError(t, err)
	return store, svc
}

func TestBoltRefusedCommandsAppendNothing(t *testing.T) {
	tests := []struct {
		name string
		cmd  domain.Command
	}{
		{"1 non-partner", cmd(domain.TypeSavingsTargetSet, "2015-12-01", `{"council":"broadland","financial_year":2015,"category":"x","amount_pence":1}`)},
		{"2 shares not 10000", cmd(domain.TypeCostShareAgreed, "2015-11-07", `{"subject":"ce","basis":"fixed_ratio","applies_from":"2015-11-07","shares":[{"council":"great-yarmouth","basis_points":6000},{"council":"north-norfolk","basis_points":3000}]}`)},
		{"3 officer over 100%", cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":6000},{"council":"north-norfolk","time_share_basis_points":6000}],"basis":"interim","starts_on":"2015-11-07"}`)},
		{"5 approval without decision", cmd(domain.TypeJointAppointmentMade, "2015-11-07", `{"officer":{"name":"Karen Sly"},"post":"cfo","employing_council":"north-norfolk",
				"councils":[{"council":"great-yarmouth","time_share_basis_points":5000}],"basis":"interim","starts_on":"2015-11-07",
				"approvals":[{"council":"great-yarmouth","body":"cabinet","meeting":"2015-10-15","item":"9","raw":"Cabinet item 9"}]}`)},
		{"6 outturn inside the year", cmd(domain.TypeSavingsReported, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"x","amount_pence":1,"status":"outturn","period_to":"2016-03-31"}`)},
		{"7 negative cost", cmd(domain.TypeOneOffCostIncurred, "2016-01-01", `{"council":"north-norfolk","financial_year":2015,"category":"redundancy","amount_pence":-5}`)},
		{"9 outcome without review", cmd(domain.TypeReviewOutcomeRecorded, "2016-06-30", `{"review":"june-2016","council":"north-norfolk","outcome":"continue","rationale":"fine"}`)},
		{"10 correction of an unknown event", cmd(domain.TypeEventCorrected, "2016-01-01", `{"target":"0190f3a4-0000-7000-8000-000000000001","data":{"purpose":"x"},"reason":"typo"}`)},
		{"11 no sources", func() domain.Command {
			c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
			c.Sources = nil
			return c
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, svc := boltStarted(t)
			_, err := svc.Record(context.Background(), "alice", tt.cmd, nil)
			require.ErrorIs(t, err, domain.ErrValidation)
			head, err := store.Head(context.Background())
			require.NoError(t, err)
			assert.Equal(t, uint64(1), head.Seq, "something was appended")
		})
	}
}

func TestBoltRecordAndReplay(t *testing.T) {
	store, path := openBolt(t)
	svc := recording.New(store, clock)
	ctx := context.Background()
	_, err := svc.Record(ctx, "alice", cmd(domain.TypePartnershipProposed, "2015-10-01", proposal), nil)
	require.NoError(t, err)

	c := cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
	c.ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("gy-nn/key-1"))
	first, err := svc.Record(ctx, "alice", c, nil)
	require.NoError(t, err)
	assert.Equal(t, clock(), first.Events[0].RecordedAt)
	assert.Equal(t, "alice", first.Events[0].RecordedBy)

	again, err := svc.Record(ctx, "alice", c, nil)
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, first.Events[0].Hash, again.Events[0].Hash)

	stale := uint64(0)
	_, err = svc.Record(ctx, "alice", cmd(domain.TypeSavingsTargetSet, "2015-12-02", target), &stale)
	var ce *eventstore.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(1), ce.Actual)

	// After a restart the replay is still answered from the file.
	require.NoError(t, store.Close())
	reopened, err := bolt.Open(path, bolt.Options{Now: clock})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reopened.Close() })
	third, err := recording.New(reopened, clock).Record(ctx, "alice", c, nil)
	require.NoError(t, err)
	assert.True(t, third.Replayed)
	assert.Equal(t, first.Events[0].Seq, third.Events[0].Seq)
	head, err := reopened.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(2), head.Seq)
}

func TestBoltConcurrentWriters(t *testing.T) {
	store, a := boltStarted(t)
	b := recording.New(store, clock)
	const perWriter = 10
	var wg sync.WaitGroup
	errs := make(chan error, 4*perWriter)
	for w, svc := range []*recording.Service{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				_, err := svc.Record(context.Background(), "w", cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
					fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"w%d-%d","amount_pence":1}`, w, i)), nil)
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	hist, err := a.History(context.Background(), "gy-nn")
	require.NoError(t, err)
	require.Len(t, hist, 1+4*perWriter)
	for i, r := range hist {
		assert.Equal(t, uint64(i), r.Revision)
		assert.False(t, r.RecordedAt.IsZero())
	}
}

func TestBoltContextCancelled(t *testing.T) {
	_, svc := boltStarted(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := svc.Record(ctx, "alice", cmd(domain.TypeSavingsTargetSet, "2015-12-01", target), nil)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}
