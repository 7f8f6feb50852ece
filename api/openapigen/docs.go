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
	"runtime"
	"slices"
	"strings"
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
}

func newSourceDocs() *sourceDocs {
	_, file, _, _ := runtime.Caller(0)
	return &sourceDocs{root: filepath.Join(filepath.Dir(file), "..", ".."), pkgs: map[string]*doc.Package{},
		types: map[string]*ast.TypeSpec{}, files: map[string][]*ast.File{}}
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
		for _, t := range p.Types {
			for _, spec := range t.Decl.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok {
					d.types[path+"."+ts.Name.Name] = ts
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
			return flatten(dt.Doc)
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
					return flatten(f.Doc.Text())
				}
				if f.Comment != nil {
					return flatten(f.Comment.Text())
				}
			}
		}
	}
	return ""
}

// flatten joins a comment's lines into one line of text.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }
