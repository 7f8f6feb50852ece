package recording_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
)

// TestConcurrentWriters records from two services over one store (as two processes would) and
// many goroutines each: every command is recorded once, revisions are gap-free.
func TestConcurrentWriters(t *testing.T) {
	store, a := started(t)
	b := recording.New(store, clock)
	const perWriter = 20
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
	}
}
