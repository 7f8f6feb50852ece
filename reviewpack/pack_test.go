package reviewpack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/reviewpack"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func render(t testing.TB, p *reviewpack.Pack, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, p.Render(format, &buf))
	return buf.Bytes()
}

func TestRenderIsDeterministic(t *testing.T) {
	packs := map[string]func() *reviewpack.Pack{
		"composed from evidence": func() *reviewpack.Pack { return fixturePack(t) },
		"hand-built report": func() *reviewpack.Pack {
			return &reviewpack.Pack{Report: handReport(), Evidence: fixtureEvidence(t, reviewpack.CoverOptions{})}
		},
	}
	for name, build := range packs {
		for _, format := range reviewpack.Formats {
			t.Run(name+"/"+format, func(t *testing.T) {
				first := sha256.Sum256(render(t, build(), format))
				// Another pack rendered in between must not change the next one (fpdf once kept state
				// in the font bytes it was given).
				for _, other := range packs {
					render(t, other(), format)
				}
				second := sha256.Sum256(render(t, build(), format))
				assert.Equal(t, first, second, "two builds of the same pack must be byte-identical")
			})
		}
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		format, want string
	}{
		{"html", "text/html; charset=utf-8"},
		{"pdf", "application/pdf"},
		{"md", "text/markdown; charset=utf-8"},
		{"json", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got, err := reviewpack.ContentType(tt.format)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := reviewpack.ContentType("docx")
	require.ErrorIs(t, err, reviewpack.ErrUnknownFormat)
	require.ErrorIs(t, fixturePack(t).Render("docx", &bytes.Buffer{}), reviewpack.ErrUnknownFormat)
}

func TestMarkdownGolden(t *testing.T) {
	got := render(t, &reviewpack.Pack{Report: handReport(), Evidence: fixtureEvidence(t, reviewpack.CoverOptions{})}, "md")
	golden(t, filepath.Join("testdata", "hand.md"), got)
}

// golden compares got with a file in testdata/, rewriting it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got), "the pack's Markdown changed: review the diff, then go test -update")
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	r := handReport()
	r.Summary = append(r.Summary, `<script>alert("x")</script>`)
	html := string(render(t, &reviewpack.Pack{Report: r, Evidence: fixtureEvidence(t, reviewpack.CoverOptions{})}, "html"))
	assert.Contains(t, html, "@page")
	assert.Contains(t, html, "size: A4")
	assert.Contains(t, html, "<svg")
	assert.Contains(t, html, "Sheila Oxtoby")
	assert.Contains(t, html, "£40,000")
	assert.NotContains(t, html, `<script>alert`)
	assert.NotContains(t, html, "http-equiv")
	assert.NotContains(t, html, `src="http`)
}

func TestPDFText(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext is not installed (apt-get install poppler-utils); CI installs it")
	}
	tests := map[string]*reviewpack.Pack{
		"hand-built report": {Report: handReport(), Evidence: fixtureEvidence(t, reviewpack.CoverOptions{})},
	}
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pack.pdf")
			require.NoError(t, os.WriteFile(path, render(t, p, "pdf"), 0o644))
			out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
			require.NoError(t, err)
			text := string(out)
			for _, want := range []string{"Sheila Oxtoby", "Karen Sly", "£40,000"} {
				assert.Contains(t, text, want)
			}
		})
	}
}

func TestComposeFlagsLateCorrections(t *testing.T) {
	r := fixturePack(t).Report
	var late []reviewpack.Flag
	for _, f := range r.Flags {
		if f.Kind == reviewpack.FlagLateCorrect {
			late = append(late, f)
		}
	}
	require.Len(t, late, 1)
	assert.Equal(t, []uint64{7, 13}, late[0].Refs, "the corrected event and the correction")
	assert.Contains(t, late[0].Text, "2 July 2016")
	assert.Contains(t, late[0].Text, "corrected event 7")
	for _, c := range r.Chronology {
		if c.Seq == 7 {
			assert.Equal(t, []string{"Report: North Norfolk outturn report 2015/16, 1 July 2016"}, c.Sources, "the correction's sources replace the original's")
		}
	}
}

func TestComposeRefusesIncompleteEvidence(t *testing.T) {
	ev := fixtureEvidence(t, reviewpack.CoverOptions{})
	ev.Events = append(ev.Events[:2:2], ev.Events[3:]...)
	_, err := reviewpack.Compose(context.Background(), ev)
	require.ErrorIs(t, err, reviewpack.ErrIncomplete)
	assert.Contains(t, err.Error(), "revision 2")
}

func TestVerifyDir(t *testing.T) {
	pub := testKey().Public()
	write := func(t *testing.T) string {
		dir := t.TempDir()
		_, err := reviewpack.WriteDir(fixturePack(t), dir, reviewpack.Formats)
		require.NoError(t, err)
		return dir
	}
	edit := func(t *testing.T, path, old, new string) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Contains(t, string(b), old)
		require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
	}

	t.Run("intact", func(t *testing.T) {
		v, err := reviewpack.VerifyDir(context.Background(), write(t), pub)
		require.NoError(t, err)
		assert.Equal(t, len(fixtureEvents), v.Events)
		assert.Equal(t, []string{"pack.html", "pack.pdf", "pack.md", "pack.json"}, v.Files)
	})
	tests := []struct {
		name      string
		tamper    func(t *testing.T, dir string)
		wantInErr string
	}{
		{"cited amount in an event", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "pack.json"), `"amount_pence": 4000000`, `"amount_pence": 5000000`)
		}, "the event was altered"},
		{"cited fact in the report", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "pack.json"), `"what": "Savings forecast for North Norfolk District Council in 2015/16: £35,000`, `"what": "Savings forecast for North Norfolk District Council in 2015/16: £95,000`)
		}, "the report does not match the events it cites"},
		{"an event left out", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "pack.json"))
			require.NoError(t, err)
			var f map[string]any
			require.NoError(t, jsonUnmarshal(b, &f))
			events := f["events"].([]any)
			f["events"] = append(events[:3:3], events[4:]...)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "pack.json"), jsonMarshal(t, f), 0o644))
		}, "one event of the stream is missing between [5] and [9]"}, // not [9]'s prev_hash
		{"the Markdown", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "pack.md"), "Executive summary", "Summary")
		}, "pack.md: does not match"},
		{"the manifest", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), bytes.Replace(b, []byte(`"sha256": "`), []byte(`"sha256": "00`), 1), 0o644))
		}, "does not match the manifest"},
		{"the tree head", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "pack.json"), `"size": 14`, `"size": 13`)
		}, "signed tree head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t)
			tt.tamper(t, dir)
			_, err := reviewpack.VerifyDir(context.Background(), dir, pub)
			require.ErrorIs(t, err, reviewpack.ErrRefused)
			assert.Contains(t, err.Error(), tt.wantInErr)
		})
	}
	t.Run("another key", func(t *testing.T) {
		other := make([]byte, 32)
		other[0] = 1
		_, err := reviewpack.VerifyDir(context.Background(), write(t), auditKeyFromSeed(other).Public())
		require.ErrorIs(t, err, reviewpack.ErrRefused)
		assert.Contains(t, err.Error(), "another key")
	})
}
