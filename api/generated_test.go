package api_test

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/openapigen"
)

var update = flag.Bool("update", false, "rewrite the generated files (api/openapi.json) from the code")

// TestOpenAPIGenerated holds the checked-in, embedded and served api/openapi.json equal, byte for byte,
// to what openapigen builds from api/openapi.src.json and the Go types. After editing the source or a
// type: go test ./api -run TestOpenAPIGenerated -update
func TestOpenAPIGenerated(t *testing.T) {
	src, err := os.ReadFile("openapi.src.json")
	require.NoError(t, err)
	want, err := openapigen.Build(src)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile("openapi.json", want, 0o644))
	}
	got, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got),
		"api/openapi.json is generated: edit api/openapi.src.json (or the Go types), then run go test ./api -run TestOpenAPIGenerated -update")
	if !*update { // the binary embedded the file as it was before the rewrite
		require.Equal(t, string(want), string(api.OpenAPI()), "the embedded document is the generated one")
	}
}
