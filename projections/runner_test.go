package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
	"github.com/partnership-ledger/ledger/projections"
)

var t0 = time.Date(2015, 10, 16, 9, 0, 0, 0, time.UTC)

// tokenIssued appends an event of a stream that is not a partnership's: it only advances the log.
func tokenIssued(t *testing.T, log *memstore.Store, at time.Time) {
	e := storetest.Event("TokenIssued", `{}`)
	e.RecordedAt = at
	_, err := log.Append(context.Background(), "ledger-tokens", eventstore.Any, e)
	assert.NoError(t, err)
}

func TestRunnerFollowsTheLog(t *testing.T) {
	log := memstore.New(memstore.Options{})
	for i := range 5 {
		tokenIssued(t, log, t0.Add(time.Duration(i)*time.Minute))
	}
	m := projections.NewModels(projections.Options{})
	r := projections.NewRunner(log, m)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()

	require.NoError(t, r.WaitFor(ctx, 5), "catch-up")
	assert.GreaterOrEqual(t, r.Seq(), uint64(5))

	// Live: events appended while the runner follows are folded; WaitFor sees them.
	go func() {
		for i := range 20 {
			tokenIssued(t, log, t0.Add(time.Hour+time.Duration(i)*time.Minute))
		}
	}()
	require.NoError(t, r.WaitFor(ctx, 25))
	assert.Equal(t, uint64(25), r.Seq())

	stop()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestWaitForHonoursContext(t *testing.T) {
	m := projections.NewModels(projections.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.WaitFor(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	assert.NoError(t, m.WaitFor(ctx, 0), "seq 0 is always folded")
}

func TestApplyRefusesGaps(t *testing.T) {
	m := projections.NewModels(projections.Options{})
	e := eventstore.Event{Seq: 1, Stream: "ledger-tokens", Type: "X", EffectiveOn: "2016-01-01", RecordedAt: t0}
	require.NoError(t, m.Apply(e))
	require.NoError(t, m.Apply(e), "a replayed seq is ignored")
	e.Seq = 3
	err := m.Apply(e)
	require.ErrorIs(t, err, projections.ErrOutOfOrder)
	assert.Contains(t, err.Error(), "got seq 3 after 1")
	assert.Equal(t, uint64(1), m.Seq())
}
