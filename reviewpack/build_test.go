package reviewpack_test

import (
	"bytes"
	"context"
	"iter"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// sliceLog is a ledger held in a slice: enough of a store for Build.
type sliceLog []eventstore.Event

func (l sliceLog) ReadStream(ctx context.Context, stream string, _ eventstore.Cursor, _ eventstore.Direction, _ int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		for _, e := range l {
			if e.Stream == stream && !yield(e, nil) {
				return
			}
		}
	}
}

// source folds a ledger into read models and an audit log: a Source as a server holds it.
func source(t *testing.T, all sliceLog) reviewpack.Source {
	t.Helper()
	m := projections.NewModels(projections.Options{})
	l := audit.NewLog(nil, testKey())
	for _, e := range all {
		require.NoError(t, m.Apply(e))
		require.NoError(t, l.Add(e))
	}
	return reviewpack.Source{Events: all, Models: m, Log: l}
}

// wholeLedger returns every event of the fixture's ledger in seq order, both streams.
func wholeLedger(t *testing.T) sliceLog { return sealAll(t, fixtureEvents) }

func TestBuild(t *testing.T) {
	ctx := context.Background()
	all := wholeLedger(t)
	opts := reviewpack.Options{Partnership: slug, AsOf: domain.MustDate("2016-06-30"), KnownAt: knownAll, Cover: reviewpack.CoverOptions{Committee: "Scrutiny Committee"}}

	t.Run("matches the evidence it cites", func(t *testing.T) {
		p, err := reviewpack.Build(ctx, source(t, all), opts)
		require.NoError(t, err)
		assert.Equal(t, uint64(len(all)), p.Evidence.TreeHead.Size)
		assert.Len(t, p.Evidence.Events, len(fixtureEvents))
		require.NoError(t, audit.VerifyTreeHead(p.Evidence.TreeHead, testKey().Public()))
		for _, ce := range p.Evidence.Events {
			require.NoError(t, audit.VerifyInclusion(ce.LeafIndex, p.Evidence.TreeHead.Size, audit.LeafHash(ce.Event.Hash[:]), ce.AuditPath, p.Evidence.TreeHead.Root))
		}
		again, err := reviewpack.Compose(ctx, p.Evidence)
		require.NoError(t, err)
		assert.Equal(t, p.Report, again)
	})

	t.Run("the same known_at gives the same bytes after the ledger grows", func(t *testing.T) {
		k, err := projections.ParseKnownAt("2015-12-31")
		require.NoError(t, err)
		o := opts
		o.KnownAt = k
		early, err := reviewpack.Build(ctx, source(t, all[:10]), o)
		require.NoError(t, err)
		late, err := reviewpack.Build(ctx, source(t, all), o)
		require.NoError(t, err)
		assert.Equal(t, uint64(10), late.Evidence.TreeHead.Size, "known at the end of 2015: the events recorded by then")
		assert.Len(t, late.Evidence.Events, 5)
		for _, format := range reviewpack.Formats {
			assert.Equal(t, render(t, early, format), render(t, late, format), format)
		}
	})

	t.Run("an unknown partnership", func(t *testing.T) {
		o := opts
		o.Partnership = "nowhere"
		_, err := reviewpack.Build(ctx, source(t, all), o)
		require.ErrorIs(t, err, projections.ErrUnknownPartnership)
	})

	t.Run("a bad as_of in the evidence", func(t *testing.T) {
		// Options take a domain.Date (parsed at the edge); evidence read back from a pack is text.
		p, err := reviewpack.Build(ctx, source(t, all), opts)
		require.NoError(t, err)
		ev := *p.Evidence
		ev.AsOf = "2016-02-30"
		_, err = reviewpack.Compose(ctx, &ev)
		require.ErrorIs(t, err, projections.ErrBadAsOf)
	})
}

func TestWriteDirThenVerify(t *testing.T) {
	p, err := reviewpack.Build(context.Background(), source(t, wholeLedger(t)), reviewpack.Options{Partnership: slug, AsOf: domain.MustDate("2016-06-30")})
	require.NoError(t, err)
	dir := t.TempDir()
	m, err := reviewpack.WriteDir(p, dir, []string{"md"})
	require.NoError(t, err)
	names := []string{}
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"pack.md", "pack.json"}, names, "pack.json is always written")
	v, err := reviewpack.VerifyDir(context.Background(), dir, testKey().Public())
	require.NoError(t, err)
	assert.Equal(t, []string{"pack.md", "pack.json"}, v.Files)
	var md bytes.Buffer
	require.NoError(t, p.Render("md", &md))
	assert.NotEmpty(t, md.Bytes())
}

// TestWriteDirKeepsGoing: one file that cannot be written (here a directory stands where pack.pdf
// goes) does not lose the others: they and the manifest are written, the error names what was not,
// and the pack still verifies without it.
func TestWriteDirKeepsGoing(t *testing.T) {
	p := fixturePack(t)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "pack.pdf"), 0o755))
	m, err := reviewpack.WriteDir(p, dir, []string{"pdf", "html", "md"})
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.EISDIR)
	assert.Equal(t, "pack.pdf not written: open "+filepath.Join(dir, "pack.pdf")+": is a directory (wrote pack.html, pack.md, pack.json, manifest.json)", err.Error())
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"pack.html", "pack.md", "pack.json"}, names)
	require.NoError(t, os.Remove(filepath.Join(dir, "pack.pdf")))
	v, err := reviewpack.VerifyDir(context.Background(), dir, testKey().Public())
	require.NoError(t, err)
	assert.Equal(t, []string{"pack.html", "pack.md", "pack.json"}, v.Files)
}

func TestWriteDirRefusesUnknownFormatFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pack")
	_, err := reviewpack.WriteDir(fixturePack(t), dir, []string{"html", "docx"})
	require.ErrorIs(t, err, reviewpack.ErrUnknownFormat)
	assert.NoDirExists(t, dir, "nothing is written")
}
