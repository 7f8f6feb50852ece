package reviewpack

import (
	"encoding"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// shapeOf is the Shape of the JSON encoding/json gives a value of type t: a struct's exported fields
// by their json names (embedded structs' members lifted), slices and arrays as lists, maps as maps, a
// type with its own JSON decoding as "any", one with its own text decoding or a basic type as "value".
// It reads only the types it is given, so it also runs, copied in, at the commit of an earlier format
// (formats/README.md).
func shapeOf(t reflect.Type) *Shape {
	unmarshaler := reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()
	textUnmarshaler := reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	rawMessage := reflect.TypeOf(json.RawMessage(nil))
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == rawMessage || t.Kind() == reflect.Interface:
		return &Shape{Kind: "any"}
	case reflect.PointerTo(t).Implements(unmarshaler) || t.Implements(unmarshaler):
		return &Shape{Kind: "any"}
	case reflect.PointerTo(t).Implements(textUnmarshaler) || t.Implements(textUnmarshaler):
		return &Shape{Kind: "value"}
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &Shape{Kind: "object", Members: map[string]*Shape{}}
		addFields(s, t)
		return s
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return &Shape{Kind: "value"} // []byte: base64 text
		}
		return &Shape{Kind: "list", Items: shapeOf(t.Elem())}
	case reflect.Map:
		return &Shape{Kind: "map", Items: shapeOf(t.Elem())}
	}
	return &Shape{Kind: "value"}
}

func addFields(s *Shape, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			addFields(s, ft)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s.Members[name] = shapeOf(f.Type)
	}
}

// writeShape writes the Shape of pack.json (File) to path, indented, keys sorted.
func writeShape(path string) error {
	b, err := json.MarshalIndent(shapeOf(reflect.TypeOf(File{})), "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
