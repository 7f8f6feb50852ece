package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/memstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// recordSome appends a few events through a store, as the ledger would, and returns them as stored.
func recordSome(t *testing.T, s eventstore.Store, n int) []eventstore.Event {
	t.Helper()
	ctx := context.Background()
	var out []eventstore.Event
	for i := range n {
		stream := []string{"partnership-a-b", "partnership-c-d", "ledger-tokens"}[i%3]
		data := `{"i":` + strings.Repeat("1", 1+i%3) + `,"note":"<b>Tom & Jerry</b>","uni":"é\u2028"}`
		stored, err := s.Append(ctx, stream, eventstore.Any, eventstore.Event{
			ID: eventstore.NewID(), Type: "Noted", EffectiveOn: "2016-05-01", RecordedBy: "alice",
			Certainty: "confirmed", Data: json.RawMessage(data), CorrelationID: uuid.New(),
			Sources: json.RawMessage(`[{"kind":"minutes","title":"Joint committee"}]`),
		})
		require.NoError(t, err)
		out = append(out, stored...)
	}
	return out
}

func readAll(t *testing.T, s eventstore.Store) []eventstore.Event {
	t.Helper()
	var out []eventstore.Event
	for e, err := range s.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

func TestExportReadExportRoundTrip(t *testing.T) {
	src := newMemStore()
	want := recordSome(t, src, 30)
	var buf bytes.Buffer
	n, err := audit.Export(context.Background(), src, &buf)
	require.NoError(t, err)
	assert.Equal(t, uint64(30), n)
	assert.Equal(t, 30, bytes.Count(buf.Bytes(), []byte("\n")))
	assert.Contains(t, buf.String(), `"note":"<b>Tom & Jerry</b>"`, "data is written byte for byte, not HTML-escaped")

	var line map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(bytes.SplitN(buf.Bytes(), []byte("\n"), 2)[0], &line))
	for _, f := range []string{"id", "stream", "revision", "seq", "type", "schema", "effective_on", "recorded_at",
		"recorded_by", "sources", "certainty", "correlation_id", "data", "prev_hash", "hash"} {
		assert.Contains(t, line, f)
	}

	var got []eventstore.Event
	for e, err := range audit.ReadExport(&buf) {
		require.NoError(t, err)
		got = append(got, e)
	}
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].Hash, eventstore.ComputeHash(got[i], got[i].PrevHash), "seq %d", i+1)
		assert.True(t, want[i].RecordedAt.Equal(got[i].RecordedAt))
		assert.Equal(t, string(want[i].Data), string(got[i].Data))
	}
}

func TestReadExportRefusesBadLines(t *testing.T) {
	good := sealedEvents(1, 1)[0]
	b, err := json.Marshal(good)
	require.NoError(t, err)
	tests := []struct {
		name string
		in   string
		line int
	}{
		{"not json", "nope\n", 1},
		{"unknown field", strings.Replace(string(b), `"id"`, `"extra":1,"id"`, 1) + "\n", 1},
		{"two objects", string(b) + string(b) + "\n", 1},
		{"bad hash", "\n" + strings.Replace(string(b), `"hash":"`, `"hash":"zz`, 1) + "\n", 2},
		{"truncated", string(b[:len(b)-5]), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			for _, err := range audit.ReadExport(strings.NewReader(tt.in)) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], audit.ErrBadExport)
			var le *audit.ExportLineError
			require.ErrorAs(t, errs[0], &le)
			assert.Equal(t, tt.line, le.Line)
		})
	}
}

func TestReadExportLongLines(t *testing.T) {
	e := sealedEvents(1, 1)[0]
	e.Data = json.RawMessage(`{"x":"` + strings.Repeat("a", 200_000) + `"}`)
	e = eventstore.Seal(e, eventstore.ZeroHash)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(e))
	var got []eventstore.Event
	for ev, err := range audit.ReadExport(&b) {
		require.NoError(t, err)
		got = append(got, ev)
	}
	require.Len(t, got, 1)
	assert.Equal(t, e.Hash, eventstore.ComputeHash(got[0], got[0].PrevHash))
}

// onlyReader hides Seek, so Import has to buffer.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestImportRoundTrip(t *testing.T) {
	for _, seekable := range []bool{true, false} {
		t.Run(map[bool]string{true: "seeker", false: "reader"}[seekable], func(t *testing.T) {
			exportImportRoundTrip(t, newMemStore(), newMemStore(), seekable)
		})
	}
}

// exportImportRoundTrip records events in src, exports them, imports the file into the empty dst and
// checks that dst holds the same ledger: ids, seq, revisions, recorded_at, hashes and tree root.
func exportImportRoundTrip(t *testing.T, src, dst eventstore.Store, seekable bool) {
	t.Helper()
	ctx := context.Background()
	want := recordSome(t, src, 40)
	var buf bytes.Buffer
	_, err := audit.Export(ctx, src, &buf)
	require.NoError(t, err)

	var r io.Reader = bytes.NewReader(buf.Bytes())
	if !seekable {
		r = onlyReader{r}
	}
	rep, err := audit.Import(ctx, dst, r, audit.CopyOptions{})
	require.NoError(t, err)
	assert.True(t, rep.Intact)
	assert.Equal(t, uint64(40), rep.Size)

	got := readAll(t, dst)
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].ID, got[i].ID)
		assert.Equal(t, want[i].Seq, got[i].Seq)
		assert.Equal(t, want[i].Revision, got[i].Revision)
		assert.Equal(t, want[i].Hash, got[i].Hash)
		assert.True(t, want[i].RecordedAt.Equal(got[i].RecordedAt))
	}
	srcRep, err := audit.Verify(ctx, src, nil)
	require.NoError(t, err)
	dstRep, err := audit.Verify(ctx, dst, nil)
	require.NoError(t, err)
	assert.True(t, dstRep.Intact)
	assert.Equal(t, srcRep.Root, dstRep.Root)

	var again bytes.Buffer
	_, err = audit.Export(ctx, dst, &again)
	require.NoError(t, err)
	assert.Equal(t, buf.String(), again.String(), "an imported ledger exports to the same bytes")
}

func TestImportRefuses(t *testing.T) {
	ctx := context.Background()
	src := newMemStore()
	recordSome(t, src, 12)
	var buf bytes.Buffer
	_, err := audit.Export(ctx, src, &buf)
	require.NoError(t, err)
	lines := strings.SplitAfter(buf.String(), "\n")

	t.Run("non-empty target", func(t *testing.T) {
		dst := newMemStore()
		recordSome(t, dst, 1)
		_, err := audit.Import(ctx, dst, strings.NewReader(buf.String()), audit.CopyOptions{})
		require.ErrorIs(t, err, audit.ErrStoreNotEmpty)
		assert.Len(t, readAll(t, dst), 1)
	})
	tests := []struct {
		name string
		file string
		want error
	}{
		{"tampered last event", strings.Join(lines[:11], "") + strings.Replace(lines[11], "alice", "mallory", 1), audit.ErrTampered},
		{"missing event", strings.Join(lines[:5], "") + strings.Join(lines[6:], ""), audit.ErrTampered},
		{"reordered", strings.Join(lines[:3], "") + lines[4] + lines[3] + strings.Join(lines[5:], ""), audit.ErrTampered},
		{"malformed last line", buf.String() + "{\n", audit.ErrBadExport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newMemStore()
			_, err := audit.Import(ctx, dst, strings.NewReader(tt.file), audit.CopyOptions{})
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, readAll(t, dst), "nothing is written unless the whole file verifies")
		})
	}
}

// rewritingStore stores events under other recorded_at times, as a faulty backend might.
type rewritingStore struct{ *memstore.Store }

func (s rewritingStore) Append(ctx context.Context, stream string, x eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	changed := make([]eventstore.Event, len(events))
	for i, e := range events {
		e.RecordedAt = e.RecordedAt.Add(1)
		changed[i] = e
	}
	return s.Store.Append(ctx, stream, x, changed...)
}

func TestImportFailsLoudlyOnHashMismatch(t *testing.T) {
	ctx := context.Background()
	src := newMemStore()
	recordSome(t, src, 3)
	var buf bytes.Buffer
	_, err := audit.Export(ctx, src, &buf)
	require.NoError(t, err)
	_, err = audit.Import(ctx, rewritingStore{newMemStore()}, &buf, audit.CopyOptions{})
	require.ErrorIs(t, err, audit.ErrTampered)
	var me *audit.MismatchError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, uint64(1), me.Seq)
	assert.Equal(t, "recorded_at", me.Field)
}

// changingFile serves one content until it is rewound, then another: a file edited between Import's
// verification pass and its writing pass.
type changingFile struct {
	r     *bytes.Reader
	after []byte
}

func (f *changingFile) Read(p []byte) (int, error) { return f.r.Read(p) }

func (f *changingFile) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart && f.after != nil {
		f.r, f.after = bytes.NewReader(f.after), nil
	}
	return f.r.Seek(off, whence)
}

func TestImportNoticesFileChangedBetweenPasses(t *testing.T) {
	ctx := context.Background()
	var a, b bytes.Buffer
	src := newMemStore()
	recordSome(t, src, 6)
	_, err := audit.Export(ctx, src, &a)
	require.NoError(t, err)
	other := newMemStore()
	recordSome(t, other, 6)
	_, err = audit.Export(ctx, other, &b)
	require.NoError(t, err)

	tests := []struct {
		name    string
		after   []byte
		written int // events written before the change shows
	}{
		{"another valid ledger", b.Bytes(), 0},
		{"truncated", bytes.SplitAfterN(a.Bytes(), []byte("\n"), 4)[0], 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newMemStore()
			_, err := audit.Import(ctx, dst, &changingFile{r: bytes.NewReader(a.Bytes()), after: tt.after}, audit.CopyOptions{})
			require.ErrorIs(t, err, audit.ErrTampered)
			assert.Len(t, readAll(t, dst), tt.written)
		})
	}
}

func TestImportFromPipe(t *testing.T) {
	ctx := context.Background()
	src := newMemStore()
	recordSome(t, src, 5)
	var buf bytes.Buffer
	_, err := audit.Export(ctx, src, &buf)
	require.NoError(t, err)
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	go func() {
		_, _ = pw.Write(buf.Bytes())
		pw.Close()
	}()
	defer pr.Close()
	dst := newMemStore()
	rep, err := audit.Import(ctx, dst, pr, audit.CopyOptions{})
	require.NoError(t, err)
	assert.Equal(t, uint64(5), rep.Size)
	assert.Len(t, readAll(t, dst), 5)
}

// guardedReader fails the test if it is read after the iteration that owns it has returned.
type guardedReader struct {
	t      *testing.T
	r      io.Reader
	closed atomic.Bool
}

func (g *guardedReader) Read(p []byte) (int, error) {
	if g.closed.Load() {
		g.t.Error("ReadExport read its reader after the iteration returned")
	}
	return g.r.Read(p)
}

func TestReadExportStopsEarly(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	events := sealedEvents(3000, 5)
	for _, e := range events {
		require.NoError(t, enc.Encode(e))
	}
	g := &guardedReader{t: t, r: &buf}
	var got []eventstore.Event
	for e, err := range audit.ReadExport(g) {
		require.NoError(t, err)
		got = append(got, e)
		if len(got) == 10 {
			break
		}
	}
	g.closed.Store(true)
	require.Len(t, got, 10)
	for i := range got {
		assert.Equal(t, events[i].Hash, got[i].Hash)
	}
}

func TestReadExportKeepsOrderAcrossChunks(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	events := sealedEvents(2000, 5)
	for i, e := range events {
		require.NoError(t, enc.Encode(e))
		if i%300 == 0 {
			buf.WriteString("\n  \n") // blank lines are skipped but counted
		}
	}
	buf.WriteString("{broken\n")
	var got []eventstore.Event
	var last error
	for e, err := range audit.ReadExport(&buf) {
		if err != nil {
			last = err
			continue
		}
		got = append(got, e)
	}
	require.Len(t, got, len(events))
	for i := range got {
		require.Equal(t, events[i].Seq, got[i].Seq)
	}
	var le *audit.ExportLineError
	require.ErrorAs(t, last, &le)
	assert.Equal(t, 2000+2*7+1, le.Line)
}

// junkLines is a reader of first, then n lines of size bytes each, made as they are read.
type junkLines struct {
	first    []byte
	n, size  int
	line, at int
	read     atomic.Int64
}

func (j *junkLines) Read(p []byte) (int, error) {
	if len(j.first) > 0 {
		c := copy(p, j.first)
		j.first = j.first[c:]
		j.read.Add(int64(c))
		return c, nil
	}
	if j.line >= j.n {
		return 0, io.EOF
	}
	c := 0
	for c < len(p) && j.line < j.n {
		if j.at == j.size-1 {
			p[c] = '\n'
			j.line, j.at = j.line+1, 0
		} else {
			p[c] = 'x'
			j.at++
		}
		c++
	}
	j.read.Add(int64(c))
	return c, nil
}

// ReadExport reads ahead of the events it yields by a bounded number of bytes, not a number of lines:
// an export of large events is not held in memory whole (the tester's 40 lines of 14 MiB were all read
// before the first was refused: 1.5 GB for an import refused at its first event).
func TestReadExportReadsAheadByBytes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s := memstore.New(memstore.Options{})
	_, err := s.Append(context.Background(), "p", eventstore.Any, storetest.Event("T", `{}`))
	require.NoError(t, err)
	var first bytes.Buffer
	_, err = audit.Export(context.Background(), s, &first)
	require.NoError(t, err)
	const lines, size = 100, 1 << 20 // 100 MiB after the first event
	r := &junkLines{first: first.Bytes(), n: lines, size: size}
	for e, err := range audit.ReadExport(r) {
		require.NoError(t, err)
		assert.Equal(t, "T", e.Type)
		break
	}
	assert.Less(t, r.read.Load(), int64(lines*size/2), "read ahead of the first event: %d bytes", r.read.Load())
}
