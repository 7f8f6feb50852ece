package reviewpack_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/demo"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// TestComposeFromEvidenceMatchesTheWholeLedger: a pack's evidence holds the partnership's events
// alone, with gaps in seq where other streams' events were. Compose folds them as they are (no
// events made up for the gaps) and writes the same report as the views of models fed the whole
// ledger, at every as_of and known_at tried.
func TestComposeFromEvidenceMatchesTheWholeLedger(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	_, err := demo.SeedStore(ctx, store)
	require.NoError(t, err)
	var demoLog sliceLog
	for e, err := range store.ReadAll(ctx, 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		demoLog = append(demoLog, e)
	}
	ledgers := []struct {
		name, slug string
		all        sliceLog
		asOf       []string
		knownAt    []string
	}{
		{"fixture, another stream between every event", slug, wholeLedger(t), []string{"2015-11-07", "2016-06-30", "2016-07-05"},
			[]string{"all", "2015-12-31", "2016-07-01", "9"}},
		{"demo, two partnerships", demo.GreatYarmouthNorthNorfolk, demoLog, []string{"2015-11-07", "2016-06-30", "2016-10-01"},
			[]string{"all", "2015-12-18", "2016-06-01", "2016-10-01T09:02:30Z"}},
	}
	for _, l := range ledgers {
		src := source(t, l.all)
		for _, asOf := range l.asOf {
			for _, k := range l.knownAt {
				known, err := projections.ParseKnownAt(k)
				require.NoError(t, err)
				opts := reviewpack.Options{Partnership: l.slug, AsOf: domain.MustDate(asOf), KnownAt: known}
				if k == "all" { // and the changes since the first events were known: the other folds agree too
					since := projections.KnownAtSeq(3)
					opts.Since = &since
				}
				p, err := reviewpack.Build(ctx, src, opts)
				require.NoError(t, err, "%s: as of %s known at %s", l.name, asOf, k)
				ev := p.Evidence
				if opts.Since != nil {
					require.NotNil(t, p.Report.Changes)
					require.NotEmpty(t, p.Report.Changes.Events)
				}
				require.Less(t, len(ev.Events), int(ev.TreeHead.Size), "the evidence has gaps in seq")

				q := projections.Query{AsOf: domain.MustDate(asOf), KnownAt: projections.KnownAtSeq(ev.TreeHead.Size)}
				st, err := src.Models.State(l.slug, q)
				require.NoError(t, err)
				tl, err := src.Models.Timeline(l.slug, q)
				require.NoError(t, err)
				assert.Equal(t, reviewpack.ComposeViews(ev, src.Models, st, tl), p.Report, "%s: as of %s known at %s", l.name, asOf, k)
			}
		}
	}
}

// TestFixtureIsWhatTheDomainRecords keeps the fixture honest: every payload decodes strictly, so the
// pack built from it says what the domain makes of it. Its minutes are cited in the old form (one
// illustrative flag, from before per-detail marks), as a ledger recorded before them holds them: such
// sources decode as stored, every other source passes today's checks.
func TestFixtureIsWhatTheDomainRecords(t *testing.T) {
	for _, e := range fixtureEvents {
		_, err := domain.DecodePayload(e.typ, domain.CurrentSchema, []byte(e.data))
		assert.NoError(t, err, e.typ)
		stored, err := domain.DecodeStoredSources([]byte(e.sources))
		require.NoError(t, err, e.typ)
		if !slices.ContainsFunc(stored, func(s domain.SourceRef) bool { return s.Illustrative }) {
			_, err = domain.ParseSources([]byte(e.sources))
			assert.NoError(t, err, e.typ)
		}
	}
}
