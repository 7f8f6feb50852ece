package projections_test

import (
	"context"
	"iter"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
)

// demoLog returns the Norfolk demo's events with an event of another stream after each, renumbered
// into one log: the whole log, and the events of one partnership alone (with gaps in seq), as a
// review pack carries them.
func demoLog(t *testing.T, slug string) (all, one []eventstore.Event) {
	t.Helper()
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	_, err := demo.SeedStore(ctx, store)
	require.NoError(t, err)
	for e, err := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		e.Seq = uint64(len(all) + 1)
		all = append(all, e)
		if e.Stream == "partnership-"+slug {
			one = append(one, e)
		}
		all = append(all, eventstore.Event{Seq: uint64(len(all) + 1), Stream: "ledger-tokens", Type: "TokenIssued",
			EffectiveOn: e.EffectiveOn, RecordedAt: e.RecordedAt.Add(time.Second)})
	}
	return all, one
}

// TestSparseLogGivesTheSameViews: models fed one partnership's events, with the seqs of other streams
// missing (Options.Sparse), answer every query as models fed the whole log do.
func TestSparseLogGivesTheSameViews(t *testing.T) {
	const slug = demo.GreatYarmouthNorthNorfolk
	all, one := demoLog(t, slug)
	require.Less(t, len(one), len(all))

	whole := projections.NewModels(projections.Options{})
	for _, e := range all {
		require.NoError(t, whole.Apply(e))
	}
	sparse, err := projections.Load(context.Background(), sliceReader(one), projections.Options{Sparse: true, Partnerships: []string{slug}})
	require.NoError(t, err)
	applied := projections.NewModels(projections.Options{Sparse: true})
	for _, e := range one {
		require.NoError(t, applied.Apply(e))
	}

	last := one[len(one)-1].Seq
	var known []projections.KnownAt
	for seq := one[0].Seq; seq <= last; seq++ {
		known = append(known, projections.KnownAtSeq(seq))
	}
	for _, e := range one {
		known = append(known, projections.KnownAtTime(e.RecordedAt), projections.KnownAtTime(e.RecordedAt.Add(-time.Nanosecond)))
	}
	for _, asOf := range []string{"2015-01-01", "2015-11-07", "2016-03-31", "2016-06-30", "2016-10-01", "2030-01-01"} {
		for _, k := range known {
			q := projections.Query{AsOf: domain.MustDate(asOf), KnownAt: k}
			want, wantErr := whole.State(slug, q)
			wantTL, _ := whole.Timeline(slug, q)
			for name, m := range map[string]*projections.Models{"Load": sparse, "Apply": applied} {
				got, err := m.State(slug, q)
				if wantErr != nil {
					assert.ErrorIs(t, err, projections.ErrUnknownPartnership, "%s %s %s", name, asOf, k)
					continue
				}
				require.NoError(t, err, "%s %s %s", name, asOf, k)
				gotTL, err := m.Timeline(slug, q)
				require.NoError(t, err)
				// A time may resolve to an earlier seq of the sparse log, never past one of the
				// partnership's events: the seqs between are other streams', which it does not hold.
				// (The recorded_at of a seq the sparse log lacks is not known either.)
				assert.LessOrEqual(t, got.KnownAt.Seq, want.KnownAt.Seq, "%s %s %s", name, asOf, k)
				for _, e := range one {
					assert.False(t, e.Seq > got.KnownAt.Seq && e.Seq <= want.KnownAt.Seq, "%s %s %s: seq %d left out", name, asOf, k, e.Seq)
				}
				got, gotTL = withAxes(got, want.Axes), withTimelineAxes(gotTL, want.Axes)
				assert.True(t, reflect.DeepEqual(want, got), "%s: state as of %s known at %s", name, asOf, k)
				assert.True(t, reflect.DeepEqual(wantTL, gotTL), "%s: timeline as of %s known at %s", name, asOf, k)
			}
		}
	}
}

func withAxes(st *projections.State, a projections.Axes) *projections.State {
	c := *st
	c.Axes = a
	return &c
}

func withTimelineAxes(tl *projections.Timeline, a projections.Axes) *projections.Timeline {
	c := *tl
	c.Axes = a
	return &c
}

func TestSparseAcceptsGapsOnlyWhenAsked(t *testing.T) {
	e := eventstore.Event{Seq: 3, Stream: "ledger-tokens", Type: "X", EffectiveOn: "2016-01-01", RecordedAt: t0}
	m := projections.NewModels(projections.Options{Sparse: true})
	require.NoError(t, m.Apply(e))
	assert.Equal(t, uint64(3), m.Seq())
	e.Seq = 2
	require.NoError(t, m.Apply(e), "a seq at or below Seq is a replay, ignored")
	assert.Equal(t, uint64(3), m.Seq())

	strict := projections.NewModels(projections.Options{})
	require.ErrorIs(t, strict.Apply(eventstore.Event{Seq: 3, Stream: "ledger-tokens", RecordedAt: t0}), projections.ErrOutOfOrder)
	_, err := projections.Load(context.Background(), sliceReader{{Seq: 2, Stream: "ledger-tokens", RecordedAt: t0}}, projections.Options{})
	require.ErrorIs(t, err, projections.ErrOutOfOrder)
}

// sliceReader is a log held in a slice, for Load.
type sliceReader []eventstore.Event

func (l sliceReader) ReadAll(ctx context.Context, after uint64, _ eventstore.Direction, _ int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		for _, e := range l {
			if e.Seq > after && !yield(e, nil) {
				return
			}
		}
	}
}
