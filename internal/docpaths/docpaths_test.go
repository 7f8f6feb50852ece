package docpaths_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanned reports whether a file's text is scanned: Go sources, Markdown, JSON, page templates and
// the files that build and run the server.
func scanned(name string) bool {
	switch filepath.Ext(name) {
	case ".go", ".md", ".json", ".html", ".tmpl", ".css", ".js", ".yml", ".yaml", ".sh":
		return true
	}
	return name == "Dockerfile" || name == "run"
}

var (
	// outside names places a clone does not have.
	outside = regexp.MustCompile(`\.\./shared|(?:^|[^A-Za-z0-9_.-])shared/(?:seeds|docs)\b`)
	// repoPath is a path into one of the repository's top-level folders, as text names it: not part of
	// a longer path or a URL (github.com/partnership-ledger/ledger/api is an import path, /v1/audit/x a
	// route).
	repoPath = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./:-])((?:api|audit|cmd|docs|domain|eventstore|fault|internal|projections|reviewpack|tokens)/[A-Za-z0-9_./-]*[A-Za-z0-9_])`)
	// globTail is the rest of a named file pattern after the path the regexp found ("-*.txt").
	globTail = regexp.MustCompile(`^[A-Za-z0-9_.-]*\*[A-Za-z0-9_.*-]*`)
	// written are the Markdown files the ledger writes (a review pack's), which text may name alone.
	written = map[string]bool{"pack.md": true}
	// docName is a Markdown file named without a folder ("see integrity.md"): it must be one of docs/
	// or the repository's root.
	docName = regexp.MustCompile(`(?:^|[^A-Za-z0-9_./-])([A-Za-z0-9_-]+\.md)\b`)
)

// TestEveryNamedPathExists fails for a path that names a file or folder of the repository that does
// not exist, a Markdown file named alone that is neither in docs/ nor at the root, and any reference
// to ../shared or shared/seeds, shared/docs (issue 20: the README and API errors pointed to
// ../shared/... and docs/domain.md, which a clone lacked).
func TestEveryNamedPathExists(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module root is two levels up")
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		return err == nil
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") && name != ".ci" || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !scanned(name) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "internal/docpaths/") {
			return nil // names the forbidden places in order to find them
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for n, line := range strings.Split(string(b), "\n") {
			at := func() string { return rel + ":" + strconv.Itoa(n+1) }
			if m := outside.FindString(line); m != "" {
				t.Errorf("%s names %q, outside the repository: %s", at(), strings.TrimSpace(m), strings.TrimSpace(line))
			}
			for _, m := range repoPath.FindAllStringSubmatchIndex(line, -1) {
				p := line[m[2]:m[3]]
				if strings.HasPrefix(line[m[3]:], ":") && !strings.HasSuffix(p, ".go") {
					continue // an image and its tag (eventstore/eventstore:24.10), not a path
				}
				if tail := globTail.FindString(line[m[3]:]); tail != "" { // a pattern (testdata/replay-*.txt): something must match
					if found, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(p+tail))); len(found) > 0 {
						continue
					}
				}
				if pkg, sym, ok := strings.Cut(p[strings.LastIndex(p, "/")+1:], "."); ok && sym != "" && sym[0] >= 'A' && sym[0] <= 'Z' {
					p = p[:strings.LastIndex(p, "/")+1] + pkg // a package and its symbol (fault/faulttest.AssertForPeople)
				}
				if !exists(p) {
					t.Errorf("%s names %s, which the repository does not have: %s", at(), p, strings.TrimSpace(line))
				}
			}
			for _, m := range docName.FindAllStringSubmatch(line, -1) {
				dir := filepath.Dir(rel)
				if !exists("docs/"+m[1]) && !exists(m[1]) && !exists(dir+"/"+m[1]) && !exists(dir+"/testdata/"+m[1]) && !written[m[1]] {
					t.Errorf("%s names %s, which is neither in docs/ nor at the root: %s", at(), m[1], strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, files, 100, "the walk read the repository")
	for _, p := range []string{"docs/domain.md", "docs/integrity.md", "README.md"} {
		assert.True(t, exists(p), "%s is in the repository", p)
	}
}
