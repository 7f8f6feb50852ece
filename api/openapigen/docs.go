package openapigen

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

const module = "github.com/partnership-ledger/ledger"

// sourceDocs reads the doc comments of Go types and their fields from the module's source, so a
// schema's description is the type's own documentation. The source is found next to this file's (the
// generator runs in tests, from a checkout).
type sourceDocs struct {
	root  string
	pkgs  map[string]*doc.Package // by import path
	types map[string]*ast.TypeSpec
	files map[string][]*ast.File // by import path, sorted by name
	// fields maps each struct type ("path.Name") to its fields' JSON names by Go name; consts maps a
	// string constant's name to its value: the words a doc comment uses for the wire's (wire).
	fields map[string]map[string]string
	consts map[string]string
	// renamed maps a Go type name to its component's name where they differ (KnownAtInfo: KnownAt).
	renamed map[string]string
}

func newSourceDocs() *sourceDocs {
	_, file, _, _ := runtime.Caller(0)
	return &sourceDocs{root: filepath.Join(filepath.Dir(file), "..", ".."), pkgs: map[string]*doc.Package{},
		types: map[string]*ast.TypeSpec{}, files: map[string][]*ast.File{},
		fields: map[string]map[string]string{}, consts: map[string]string{}, renamed: map[string]string{"KnownAtInfo": "KnownAt"}}
}

func (d *sourceDocs) pkg(path string) *doc.Package {
	if p, ok := d.pkgs[path]; ok {
		return p
	}
	d.pkgs[path] = nil
	rel, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return nil
	}
	fset := token.NewFileSet()
	parsed, err := parser.ParseDir(fset, filepath.Join(d.root, filepath.FromSlash(rel)), func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		panic("openapigen: reading the doc comments of " + path + ": " + err.Error())
	}
	for _, ap := range parsed {
		var files []*ast.File
		for _, name := range slices.Sorted(maps.Keys(ap.Files)) {
			files = append(files, ap.Files[name])
		}
		d.files[path] = files
		p, err := doc.NewFromFiles(fset, files, path, doc.PreserveAST|doc.AllDecls)
		if err != nil {
			panic(err)
		}
		d.pkgs[path] = p
		for _, f := range files {
			d.stringConsts(f)
		}
		for _, t := range p.Types {
			for _, spec := range t.Decl.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					d.types[path+"."+ts.Name.Name] = ts
					d.jsonNames(path+"."+ts.Name.Name, ts)
				}
			}
		}
	}
	return d.pkgs[path]
}

// typ returns the doc comment of t as one paragraph of text, "" when it has none.
func (d *sourceDocs) typ(t reflect.Type) string {
	p := d.pkg(t.PkgPath())
	if p == nil {
		return ""
	}
	for _, dt := range p.Types {
		if dt.Name == t.Name() {
			return d.wire(flatten(dt.Doc), t)
		}
	}
	return ""
}

// field returns the doc or line comment of t's field, "" when it has none.
func (d *sourceDocs) field(t reflect.Type, name string) string {
	if d.pkg(t.PkgPath()) == nil {
		return ""
	}
	ts := d.types[t.PkgPath()+"."+t.Name()]
	if ts == nil {
		return ""
	}
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return ""
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == name {
				if f.Doc != nil {
					return d.wire(flatten(f.Doc.Text()), t)
				}
				if f.Comment != nil {
					return d.wire(flatten(f.Comment.Text()), t)
				}
			}
		}
	}
	return ""
}

// flatten joins a comment's lines into one line of text.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// jsonNames records the JSON name of each field of a struct type spec with a json tag.
func (d *sourceDocs) jsonNames(key string, ts *ast.TypeSpec) {
	st, ok := ts.Type.(*ast.StructType)
	if !ok {
		return
	}
	m := map[string]string{}
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			continue
		}
		name, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		for _, n := range f.Names {
			m[n.Name] = name
		}
	}
	d.fields[key] = m
}

// stringConsts records the string constants a file declares with a literal value (or another
// package's constant of the same name already recorded: projections.StatusActive = domain.StatusActive).
func (d *sourceDocs) stringConsts(f *ast.File) {
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if v, ok := literal(vs.Values[i]); ok {
					d.consts[n.Name] = v
				}
			}
		}
	}
}

var goFunc = regexp.MustCompile(` ?\((?:domain|projections|reviewpack)\.([A-Z][A-Za-z0-9]*)(\)|: )`)

// isType reports whether name is a type of a package read so far.
func (d *sourceDocs) isType(name string) bool {
	for key := range d.types {
		if strings.HasSuffix(key, "."+name) {
			return true
		}
	}
	return false
}

var goWord = regexp.MustCompile(`\b(?:(?:domain|projections|reviewpack)\.)?[A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)?\b`)

// wire rewrites a doc comment of t (or of one of t's fields) in the wire's words: a field's Go name
// becomes its JSON name (t's own fields, or a field of any type when the name has two capitals and one
// JSON name everywhere: StartsOn, starts_on), Type.Field the field's JSON name, a string constant
// its value (StatusDissolved: dissolved), a renamed type its component's name; package qualifiers
// go (domain.Date: Date).
func (d *sourceDocs) wire(s string, t reflect.Type) string {
	own := d.fields[t.PkgPath()+"."+t.Name()]
	s = goFunc.ReplaceAllStringFunc(s, func(m string) string {
		sub := goFunc.FindStringSubmatch(m)
		if d.isType(sub[1]) {
			return m
		}
		if sub[2] == ")" {
			return "" // "(domain.Ending)": a Go function the wire does not see
		}
		return " (" // "(domain.Correct: what it does)"
	})
	return goWord.ReplaceAllStringFunc(s, func(w string) string {
		if w == t.Name() {
			if n, ok := d.renamed[w]; ok {
				return n
			}
			return w
		}
		for _, q := range []string{"domain.", "projections.", "reviewpack."} {
			w = strings.TrimPrefix(w, q)
		}
		if typ, field, ok := strings.Cut(w, "."); ok {
			for key, m := range d.fields {
				if strings.HasSuffix(key, "."+typ) && m[field] != "" {
					return "`" + m[field] + "`"
				}
			}
			return w
		}
		if j, ok := own[w]; ok {
			return "`" + j + "`"
		}
		if v, ok := d.consts[w]; ok && v != w {
			return "`" + v + "`"
		}
		if n, ok := d.renamed[w]; ok {
			return n
		}
		if strings.IndexFunc(w[1:], unicode.IsUpper) >= 0 && !d.isType(w) {
			if j := d.uniqueField(w); j != "" {
				return "`" + j + "`"
			}
		}
		return w
	})
}

// uniqueField returns the JSON name of the Go field name when every struct that has it names it alike.
func (d *sourceDocs) uniqueField(name string) string {
	j := ""
	for _, m := range d.fields {
		if v, ok := m[name]; ok {
			if j != "" && v != j {
				return ""
			}
			j = v
		}
	}
	return j
}
