package layers_test

import (
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/partnership-ledger/ledger"

// layer is each package's layer (see doc.go): it imports only packages of lower layers.
var layer = map[string]int{
	"fault": 0, "internal/docpaths": 0, "internal/browsertest": 0,
	"eventstore": 1, "fault/faulttest": 1,
	"domain": 2, "eventstore/bolt": 2, "eventstore/kurrentdb": 2, "eventstore/memstore": 2,
	"eventstore/storetest": 2, "eventstore/kurrentdb/kurrenttest": 2,
	"domain/words":     3,
	"domain/recording": 4, "domain/refdata": 4, "projections": 4, "tokens": 4,
	"domain/demo": 5, "audit": 5,
	"reviewpack": 6, "witness": 6,
	"api": 7, "api/web": 7, "api/client": 7, "api/openapigen": 7, "api/contracttest": 7,
	"cmd/ledger": 8,
}

// thirdParty lists, for the packages whose doc comment names them, the only modules outside the
// standard library and this one they may import (a path, or a prefix ending in "/").
var thirdParty = map[string][]string{
	"fault":        {},
	"eventstore":   {"github.com/google/uuid"},
	"domain":       {"github.com/google/uuid", "github.com/goccy/go-json"},
	"domain/words": {},
	"audit":        {"github.com/google/uuid", "golang.org/x/mod/sumdb/note", "github.com/transparency-dev/formats/log"},
	"reviewpack": {"github.com/google/uuid", "github.com/go-pdf/fpdf", "github.com/go-fonts/liberation/",
		"golang.org/x/image/font/sfnt", "golang.org/x/text/unicode/norm"},
	"witness": {"golang.org/x/mod/sumdb/note", "github.com/transparency-dev/formats/", "github.com/transparency-dev/merkle/",
		"go.etcd.io/bbolt"},
}

// adapters are chosen only in cmd; testOnly packages are imported only by _test.go files.
var (
	adapters = []string{"eventstore/bolt", "eventstore/kurrentdb", "eventstore/memstore"}
	testOnly = []string{"eventstore/storetest", "eventstore/kurrentdb/kurrenttest", "fault/faulttest", "api/contracttest", "internal/browsertest"}
	// forbidden are imports a package's doc comment rules out beyond its layer.
	forbidden = map[string][]string{
		"eventstore": {"domain"},             // "It knows nothing of partnerships"
		"api/client": {"api", "api/web"},     // "not the server package"
		"tokens":     {"api", "projections"}, // used offline by ledger token
	}
)

// pkg is one package of the module, read with go/build (no go command needed).
type pkg struct {
	rel     string   // path inside the module, "api/web"
	imports []string // of its non-test files
}

func modulePackages(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module root is two levels up")
	var out []pkg
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
			return filepath.SkipDir
		}
		bp, err := build.ImportDir(path, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, pkg{rel: filepath.ToSlash(rel), imports: bp.Imports})
		return nil
	})
	require.NoError(t, err)
	return out
}

// own returns the in-module package an import path names ("" for any other).
func own(path string) string {
	if path == module {
		return "."
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	return rel
}

func std(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

// breaches returns every import of pkgs that breaks the layers of doc.go or a rule a package's doc
// comment states, one sentence each.
func breaches(pkgs []pkg) []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, p := range pkgs {
		if p.rel == "internal/layers" {
			continue
		}
		rank, placed := layer[p.rel]
		if !placed {
			say("package %s has no layer: add it to internal/layers (doc.go and layers_test.go)", p.rel)
			continue
		}
		for _, imp := range p.imports {
			dep := own(imp)
			switch {
			case dep != "":
				if depRank, ok := layer[dep]; !ok || depRank >= rank {
					say("%s (layer %d) imports %s (layer %d): a package imports only from layers below it", p.rel, rank, dep, depRank)
				}
				if slices.Contains(testOnly, dep) {
					say("%s imports %s, which is test support: only _test.go files may import it", p.rel, dep)
				}
				if slices.Contains(adapters, dep) && p.rel != "cmd/ledger" {
					say("%s imports the store adapter %s: adapters are chosen only in cmd", p.rel, dep)
				}
				if slices.Contains(forbidden[p.rel], dep) {
					say("%s imports %s, which its doc comment rules out", p.rel, dep)
				}
			case std(imp):
			default:
				allowed, listed := thirdParty[p.rel]
				ok := !listed
				for _, a := range allowed {
					ok = ok || imp == a || strings.HasPrefix(imp, a+"/") || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a))
				}
				if !ok {
					say("%s imports %s, a module its doc comment does not name", p.rel, imp)
				}
			}
		}
	}
	return out
}

// TestImportsFollowTheLayers holds every package of the module to the layers of doc.go and to the
// import rules its own doc comment states.
func TestImportsFollowTheLayers(t *testing.T) {
	pkgs := modulePackages(t)
	require.Greater(t, len(pkgs), 15, "the walk found the module's packages")
	var cmd pkg
	for _, p := range pkgs {
		if p.rel == "cmd/ledger" {
			cmd = p
		}
	}
	assert.Contains(t, cmd.imports, module+"/eventstore/bolt", "the walk reads real imports: cmd chooses the adapters")
	assert.Empty(t, breaches(pkgs))
}

// TestEachRuleIsEnforced: a breach of each rule is reported.
func TestEachRuleIsEnforced(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	tests := []struct {
		name string
		p    pkg
		want string
	}{
		{"an import from a higher layer", pkg{rel: "projections", imports: []string{m("audit")}}, "imports only from layers below"},
		{"an import from the same layer", pkg{rel: "api", imports: []string{m("api/web")}}, "imports only from layers below"},
		{"a package with no layer", pkg{rel: "newthing"}, "has no layer"},
		{"test support in a non-test file", pkg{rel: "api", imports: []string{m("eventstore/storetest")}}, "test support"},
		{"an adapter outside cmd", pkg{rel: "api", imports: []string{m("eventstore/bolt")}}, "adapters are chosen only in cmd"},
		{"eventstore learning of domain", pkg{rel: "eventstore", imports: []string{m("domain")}}, "imports only from layers below"},
		{"the client importing the server", pkg{rel: "api/client", imports: []string{m("api")}}, "its doc comment rules out"},
		{"a module domain's doc does not name", pkg{rel: "domain", imports: []string{"github.com/stretchr/testify/assert"}}, "does not name"},
		{"a module fault's doc does not name", pkg{rel: "fault", imports: []string{"github.com/google/uuid"}}, "does not name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := breaches([]pkg{tt.p})
			require.NotEmpty(t, got)
			assert.Contains(t, strings.Join(got, "\n"), tt.want)
		})
	}
	assert.Empty(t, breaches([]pkg{{rel: "api", imports: []string{m("reviewpack"), "net/http", "golang.org/x/time/rate"}}}), "allowed imports pass")
}
