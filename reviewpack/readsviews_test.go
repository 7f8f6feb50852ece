package reviewpack_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadsNoEventJSON keeps the pack reading views, not events: what an event means comes from
// projections (State, Timeline), and of the events the pack reads only the envelope's metadata (seq,
// id, type, dates, certainty as recorded, hash). No file decodes a payload or a source list with the
// domain's decoders; apart from the JSON renderer (pack.go) and the checker of a pack's own files
// (dir.go: pack.json, the manifest, and each event's data canonicalised to recompute its hash;
// formats.go: the members each pack format may hold), no
// file imports encoding/json or touches an event's data.
func TestReadsNoEventJSON(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, d := range []string{"DecodePayload", "DecodeStoredPayload", "DecodeEnvelope", "ParseSources"} {
			assert.NotContains(t, string(src), d, "%s decodes events itself", f)
		}
		checked++
		if f == "pack.go" || f == "dir.go" || f == "formats.go" {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			assert.NotEqual(t, `"encoding/json"`, imp.Path.Value, "%s reads JSON", f)
		}
		assert.NotContains(t, string(src), ".Data", "%s reads an event's data", f)
	}
	assert.Greater(t, checked, 10)
}
