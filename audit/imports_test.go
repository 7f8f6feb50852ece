package audit_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportsStayLow keeps the layering of docs/design.md: audit's own code imports only the standard
// library, eventstore and google/uuid.
func TestImportsStayLow(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	allowed := map[string]bool{
		"github.com/partnership-ledger/ledger/eventstore": true,
		"github.com/partnership-ledger/ledger/fault":      true,
		"github.com/google/uuid":                          true,
	}
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range parsed.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			assert.True(t, std || allowed[path], "%s imports %s", f, path)
		}
		checked++
	}
	assert.Positive(t, checked)
}
