package reviewpack

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateShape = flag.Bool("update-format", false, "rewrite formats/<FormatVersion>.json from the File type")

// TestFormatShape: formats/<FormatVersion>.json is the shape of today's pack.json, so that once the
// format is bumped it stays as the earlier format's members (verify refuses any other member in a pack
// labelled with it). A change to the members of File, Evidence or Report fails here until the file is
// rewritten: go test ./reviewpack -run TestFormatShape -update-format (and a released format needs a
// new FormatVersion, pack.go).
func TestFormatShape(t *testing.T) {
	path := filepath.Join("formats", FormatVersion+".json")
	if *updateShape {
		require.NoError(t, writeShape(path))
	}
	tmp := filepath.Join(t.TempDir(), "shape.json")
	require.NoError(t, writeShape(tmp))
	want, err := os.ReadFile(tmp)
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err, "run: go test ./reviewpack -run TestFormatShape -update-format")
	assert.Equal(t, string(want), string(got), "pack.json's members changed: run go test ./reviewpack -run TestFormatShape -update-format")
	assert.Equal(t, shapeOf(reflect.TypeOf(File{})), formatShape(FormatVersion))
}

// TestFormatShapesRead: every earlier format has its shape, and every shape file reads.
func TestFormatShapesRead(t *testing.T) {
	for f := range EarlierFormats {
		s := formatShape(f)
		require.NotNil(t, s, f)
		assert.Equal(t, "object", s.Kind, f)
		assert.Contains(t, s.Members, "report", f)
	}
}
