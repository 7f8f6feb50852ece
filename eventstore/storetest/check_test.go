package storetest_test

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// recorder is a testing.TB that keeps what Check reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// broken is a store whose reads break one invariant.
type broken struct {
	eventstore.Store
	mode string
}

func (b broken) ReadAll(ctx context.Context, after uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		for e, err := range b.Store.ReadAll(ctx, after, dir, limit) {
			switch {
			case b.mode == "gap" && e.Seq == 2:
				continue
			case b.mode == "edited" && e.Seq == 3 && dir == eventstore.Forward:
				e.Data = []byte(`{"n":99}`)
			case b.mode == "backwards" && e.Seq == 1 && dir == eventstore.Backward:
				continue
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

func (b broken) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		for e, err := range b.Store.ReadStream(ctx, stream, from, dir, limit) {
			if b.mode == "stream" && e.Revision == 1 {
				continue
			}
			if !yield(e, err) {
				return
			}
		}
	}
}

func (b broken) Head(ctx context.Context) (eventstore.Head, error) {
	h, err := b.Store.Head(ctx)
	if b.mode == "head" {
		h.Seq++
	}
	return h, err
}

// TestCheckCatchesEachBrokenInvariant: Check, which the suite runs after every test, reports a store
// whose log has a gap, an edited event, a stream that disagrees with the log, a wrong head or a
// backward read that misses an event, and passes a sound one.
func TestCheckCatchesEachBrokenInvariant(t *testing.T) {
	s := memstore.New(memstore.Options{})
	for i := range 4 {
		_, err := s.Append(context.Background(), []string{"a", "b"}[i%2], eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"n":%d}`, i)))
		require.NoError(t, err)
	}
	sound := &recorder{}
	storetest.Check(sound, s)
	assert.Empty(t, sound.errs)
	for mode, want := range map[string]string{
		"gap": "seq is 3, want 2", "edited": "hash", "stream": "stream a read on its own",
		"head": "head is seq 5", "backwards": "read backwards",
	} {
		t.Run(mode, func(t *testing.T) {
			r := &recorder{}
			storetest.Check(r, broken{Store: s, mode: mode})
			require.NotEmpty(t, r.errs)
			assert.Contains(t, strings.Join(r.errs, "\n"), want)
		})
	}
}
