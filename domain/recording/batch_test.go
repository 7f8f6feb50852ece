package recording_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// TestBatchedCallersGetTheirOwnAnswers sends many commands to one partnership at once: valid ones,
// invalid ones, and the same idempotency key from several callers. Each caller gets its own answer;
// the key is recorded once.
func TestBatchedCallersGetTheirOwnAnswers(t *testing.T) {
	store, svc := boltStarted(t)
	ctx := context.Background()
	key := uuid.NewSHA1(uuid.NameSpaceURL, []byte("gy-nn/shared-key"))
	type answer struct {
		kind string
		seq  uint64
		err  error
		rep  bool
	}
	const n = 48
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c domain.Command
			kind := []string{"valid", "invalid", "keyed"}[i%3]
			switch kind {
			case "valid":
				c = cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
					fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"c%d","amount_pence":1}`, i))
			case "invalid":
				c = cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
					`{"council":"broadland","financial_year":2015,"category":"c","amount_pence":1}`)
			case "keyed":
				c = cmd(domain.TypeSavingsTargetSet, "2015-12-01", target)
				c.ID = key
			}
			res, err := svc.Record(ctx, "w", c, nil)
			a := answer{kind: kind, err: err, rep: res.Replayed}
			if err == nil {
				if assert.Len(t, res.Events, 1) {
					a.seq = res.Events[0].Seq
				}
			}
			answers[i] = a
		}()
	}
	wg.Wait()

	keyedSeqs := map[uint64]bool{}
	firsts := 0
	for i, a := range answers {
		switch a.kind {
		case "valid":
			assert.NoError(t, a.err, "request %d", i)
		case "invalid":
			assert.ErrorIs(t, a.err, domain.ErrValidation, "request %d", i)
		case "keyed":
			require.NoError(t, a.err, "request %d", i)
			keyedSeqs[a.seq] = true
			if !a.rep {
				firsts++
			}
		}
	}
	assert.Len(t, keyedSeqs, 1, "the key was recorded once")
	assert.Equal(t, 1, firsts, "one caller recorded it, the others were answered with it")

	head, err := store.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(1+n/3+1), head.Seq)
	hist, err := svc.History(ctx, "gy-nn")
	require.NoError(t, err)
	for i, r := range hist {
		assert.Equal(t, uint64(i), r.Revision)
		assert.Equal(t, uint64(i+1), r.Seq)
	}
}
