package openapigen

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/domain"
)

// schemer is a value type that describes its own JSON Schema (domain/schema.go).
type schemer interface{ JSONSchema() map[string]any }

var (
	schemerType = reflect.TypeFor[schemer]()
	uuidType    = reflect.TypeFor[uuid.UUID]()
	rawType     = reflect.TypeFor[json.RawMessage]()
	timeType    = reflect.TypeFor[time.Time]()
	penceType   = reflect.TypeFor[domain.Pence]()
	dateType    = reflect.TypeFor[domain.Date]()

	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
)

type owned struct {
	t    reflect.Type
	read bool
}

// ref is a JSON Schema reference to a component.
func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// walker turns Go types into JSON Schemas, adding each named struct and value type it meets to defs
// (components.schemas) once. read is set for read models: amounts there are totals, not bounded by
// domain.MaxAmountPence, and optional fields may be null.
type walker struct {
	defs map[string]any
	docs *sourceDocs
	read bool
	// suffix is added to the name of each struct's component (a read walk's "Stored", so that the
	// schemas of what was recorded, without the limits on new commands, sit beside the commands').
	suffix string
	// owner records which Go type, in which mode, each struct component describes, so that two types
	// of one name (domain.MinuteRef, projections.MinuteRef) get two components (the second "…View").
	owner map[string]owned
	// rename names a type's component otherwise than by its Go name (projections.KnownAtInfo: KnownAt).
	rename map[reflect.Type]string
	// order holds the JSON names of each object component's members in Go field order, for docs.
	order map[string][]string
	// nilSlices: a slice written without omitempty may be null (encoding/json's nil slice), as in
	// reviewpack's model; the projections' read models always give an array.
	nilSlices bool
}

// typeSchema returns the schema of a value of type t, with the limit of the field holding it (its
// `limit` tag, through domain.FieldLimit) and its `enum` tag.
func (w *walker) typeSchema(t reflect.Type, f *reflect.StructField) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	case t == rawType && w.read:
		return map[string]any{"description": "Any JSON value, as recorded."}
	case t == rawType:
		return map[string]any{"type": "object"}
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == penceType && w.read:
		return map[string]any{"type": "integer", "description": "Pence (an integer: 4200000 is £42,000)."}
	case t == dateType && w.read:
		return map[string]any{"type": "string", "format": "date", "description": "A civil date, YYYY-MM-DD."}
	case t.Implements(schemerType):
		name := t.Name()
		if _, ok := w.defs[name]; !ok {
			w.defs[name] = reflect.Zero(t).Interface().(schemer).JSONSchema()
		}
		return ref(name)
	case w.read && (t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)):
		return map[string]any{"type": "string"} // encoding/json writes it as its text
	case w.read && (t.Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(jsonMarshalerType)):
		return map[string]any{"description": "Any JSON value, as the type writes itself."}
	}
	limit, limited := 0, false
	if f != nil && !w.read { // what was recorded reads whatever the limits on new commands
		limit, limited = domain.FieldLimit(*f)
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		if limited {
			s["maxLength"] = limit
		}
		if f != nil && !w.read {
			if pattern, ok := f.Tag.Lookup("pattern"); ok {
				s["pattern"] = pattern // what the field's rule in domain accepts (TestEventSchemaLimits)
			}
		}
		if f != nil {
			if enum, ok := f.Tag.Lookup("enum"); ok {
				var vs []any
				for _, v := range strings.Split(enum, ",") {
					vs = append(vs, v)
				}
				s["enum"] = vs
			}
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer"}
		if limited {
			s["minimum"], s["maximum"] = 0, limit
		} else if t.Kind() >= reflect.Uint {
			s["minimum"] = 0
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"} // encoding/json's []byte
		}
		items := w.typeSchema(t.Elem(), f)
		if w.nilSlices && t.Elem().Kind() == reflect.Pointer {
			items = nullable(items) // a nil element is written null
		}
		s := map[string]any{"type": "array", "items": items}
		if f != nil && !w.read {
			for _, k := range []string{"minItems", "maxItems"} {
				if v, ok := f.Tag.Lookup(k); ok {
					n, err := strconv.Atoi(v)
					if err != nil {
						panic(fmt.Sprintf("openapigen: %s tag %q of %s", k, v, f.Name))
					}
					s[k] = n
				}
			}
		}
		return s
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": w.typeSchema(t.Elem(), nil)}
	case reflect.Struct:
		name := t.Name() + w.suffix
		if w.read && t.PkgPath() == dateType.PkgPath() {
			name = t.Name() + "Stored" // the domain's types as recorded, wherever a read model holds them
		}
		if n, ok := w.rename[t]; ok {
			name = n
		}
		if w.owner == nil {
			w.owner = map[string]owned{}
		}
		if o, ok := w.owner[name]; ok && o != (owned{t, w.read}) {
			name += "View"
		}
		w.owner[name] = owned{t, w.read}
		if _, ok := w.defs[name]; !ok {
			w.defs[name] = nil // placeholder: a recursive type refers to itself
			w.defs[name] = w.structSchema(name, t)
		}
		return ref(name)
	}
	panic(fmt.Sprintf("openapigen: no schema for %s", t))
}

// structSchema describes a struct as a JSON object: its exported fields by JSON name, none other
// allowed, required unless tagged omitempty or omitzero (what Decide requires: domain's check and
// missingMembers), each with its field's doc comment.
func (w *walker) structSchema(name string, t reflect.Type) map[string]any {
	if w.order == nil {
		w.order = map[string][]string{}
	}
	component := name
	props := map[string]any{}
	required := []any{}
	fields := reflect.VisibleFields(t)
	for _, f := range fields {
		if len(f.Index) > 1 && !promoted(t, f) {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if !f.IsExported() || name == "-" || (f.Anonymous && name == "" && ft.Kind() == reflect.Struct) {
			continue // an embedded struct's fields are the object's own (encoding/json)
		}
		if f.Tag.Get("stored") == "only" && !w.read {
			continue // read from what was recorded, refused on a new command
		}
		if name == "" {
			name = f.Name
		}
		s := w.typeSchema(f.Type, &f)
		optional := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		if w.read && !optional && (f.Type.Kind() == reflect.Pointer || (w.nilSlices && f.Type.Kind() == reflect.Slice)) {
			s = nullable(s) // encoding/json writes a nil pointer as null
		}
		decl := t
		if len(f.Index) > 1 {
			decl = t.FieldByIndex(f.Index[:len(f.Index)-1]).Type
		}
		if doc := w.docs.field(decl, f.Name); doc != "" {
			s["description"] = doc
		}
		props[name] = s
		w.order[component] = append(w.order[component], name)
		if !optional {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "additionalProperties": false, "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	if doc := w.docs.typ(t); doc != "" {
		s["description"] = doc
	}
	return s
}

// promoted reports whether f, a field of an embedded struct of t, is written as t's own: each struct
// on its path is embedded without a JSON name.
func promoted(t reflect.Type, f reflect.StructField) bool {
	for _, i := range f.Index[:len(f.Index)-1] {
		e := t.Field(i)
		name, _, _ := strings.Cut(e.Tag.Get("json"), ",")
		if !e.Anonymous || name != "" || !e.IsExported() {
			return false
		}
		t = e.Type
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
	}
	return true
}

func hasOpt(opts, opt string) bool { return strings.Contains(","+opts+",", ","+opt+",") }

// nullable lets s be null too (JSON Schema 2020-12: a type array, or anyOf for a reference).
func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		s["type"] = []any{t, "null"}
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}
