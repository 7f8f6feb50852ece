package reviewpack_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsOnlyLowerLayers keeps reviewpack above projections and audit and below api and cmd:
// it may import only eventstore, domain, projections, audit, the PDF writer, the Go fonts with the
// parser that reads their character maps, and Unicode normalisation (for the PDF's text).
func TestImportsOnlyLowerLayers(t *testing.T) {
	const module = "github.com/partnership-ledger/ledger/"
	allowed := []string{module + "fault", module + "eventstore", module + "domain", module + "projections", module + "audit",
		"github.com/go-pdf/fpdf", "golang.org/x/image/font/gofont/", "golang.org/x/image/font/sfnt",
		"golang.org/x/text/unicode/norm", "github.com/google/uuid"}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // the standard library
			}
			ok := false
			for _, a := range allowed {
				ok = ok || path == a || strings.HasPrefix(path, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(path, a))
			}
			assert.True(t, ok, "%s imports %s, which is not below reviewpack", f, path)
		}
	}
}
