package domain

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/fault"
)

// exactKeys checks that every object key in data names a field of v's type exactly. encoding/json
// matches keys case-insensitively ("Council" would fill "council"), and stored payloads must be
// written one way only. data must be one valid JSON value (strictUnmarshal decodes it first); the
// check walks its bytes beside v's type without building anything (it ran on every command, and
// decoding into map[string]any cost a third of the record path's decoding).
func exactKeys(data []byte, v any) error {
	k := keyWalker{in: data}
	k.space()
	return k.value(reflect.TypeOf(v), "")
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// jsonFields maps a struct type's JSON member names to their field types.
var jsonFields sync.Map // reflect.Type -> map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := jsonFields.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	jsonFields.Store(t, fields)
	return fields
}

// keyWalker walks valid JSON text beside a Go type.
type keyWalker struct {
	in  []byte
	pos int
}

func (k *keyWalker) space() {
	for k.pos < len(k.in) && (k.in[k.pos] == ' ' || k.in[k.pos] == '\t' || k.in[k.pos] == '\n' || k.in[k.pos] == '\r') {
		k.pos++
	}
}

func (k *keyWalker) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || k.pos >= len(k.in) {
		k.skip()
		return nil
	}
	if pt := reflect.PointerTo(t); pt.Implements(textUnmarshaler) || pt.Implements(jsonUnmarshaler) {
		k.skip()
		return nil
	}
	switch {
	case k.in[k.pos] == '{' && t.Kind() == reflect.Struct:
		fields := fieldsOf(t)
		k.pos++
		k.space()
		if k.pos < len(k.in) && k.in[k.pos] == '}' {
			k.pos++
			return nil
		}
		for k.pos < len(k.in) {
			key := k.key()
			ft, ok := fields[key]
			if !ok {
				return &valueError{Pointer: path + "/" + pointerToken.Replace(key), Reason: fmt.Sprintf("unknown field %q", key)}
			}
			k.space()
			k.pos++ // :
			k.space()
			if err := k.value(ft, path+"/"+pointerToken.Replace(key)); err != nil {
				return err
			}
			k.space()
			if k.pos < len(k.in) && k.in[k.pos] == ',' {
				k.pos++
				k.space()
				continue
			}
			k.pos++ // }
			return nil
		}
		return nil
	case k.in[k.pos] == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8:
		k.pos++
		k.space()
		if k.pos < len(k.in) && k.in[k.pos] == ']' {
			k.pos++
			return nil
		}
		for i := 0; k.pos < len(k.in); i++ {
			if err := k.value(t.Elem(), path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
			k.space()
			if k.pos < len(k.in) && k.in[k.pos] == ',' {
				k.pos++
				k.space()
				continue
			}
			k.pos++ // ]
			return nil
		}
		return nil
	}
	k.skip() // a scalar, or a type mismatch the decoder reports
	return nil
}

// key reads an object member name at k.pos, unescaped as encoding/json reads it.
func (k *keyWalker) key() string {
	start := k.pos
	k.skipString()
	raw := k.in[start:k.pos]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

func (k *keyWalker) skipString() {
	k.pos++ // "
	for k.pos < len(k.in) {
		switch k.in[k.pos] {
		case '\\':
			k.pos += 2
		case '"':
			k.pos++
			return
		default:
			k.pos++
		}
	}
}

// skip passes over one value.
func (k *keyWalker) skip() {
	depth := 0
	for k.pos < len(k.in) {
		switch k.in[k.pos] {
		case '"':
			k.skipString()
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return // the end of the enclosing value
			}
			depth--
			if depth == 0 {
				k.pos++
				return
			}
		case ',':
			if depth == 0 {
				return
			}
		}
		k.pos++
	}
}

// CheckPayload reports the problems a payload has on its own, whatever the partnership's history:
// required fields, enumerations, ranges and sums, and the limits on new commands (limits.go). Fields
// are JSON pointers under /data. It returns
// nil or a *ValidationError; Decide runs it on every command.
func CheckPayload(p Payload) error {
	var pr problems
	checkNew(p, &pr)
	return pr.err()
}

// missingMembers lists, as problems at their JSON pointers under path, the members of data that a
// payload must hold but encoding/json would quietly default: true-or-false and whole-number fields
// of t (at any depth) whose JSON tag has neither omitempty nor omitzero (docs/domain.md lists such
// members without "?"), left out or given as null. Left out, key_decision would read false and
// notice_days 0, and amount_pence null would read 0: facts nobody stated. data must be one valid JSON
// value that decodes into t. Stored events are not checked (DecodeStoredPayload): what was recorded
// reads as it was. Decide runs it on a new command's data and on a correction's target as corrected
// (the same check as recording that type fresh), so a correction cannot remove such a member.
func missingMembers(data []byte, t reflect.Type, path string, p *problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(textUnmarshaler) || pt.Implements(jsonUnmarshaler) {
		return
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return
		}
		for i, raw := range items {
			missingMembers(raw, t.Elem(), path+"/"+strconv.Itoa(i), p)
		}
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			at := path + "/" + pointerToken.Replace(name)
			raw, present := members[name]
			if present && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
				missingMembers(raw, f.Type, at, p)
				continue
			}
			optional := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
			if !optional && defaultsQuietly(f.Type) {
				p.add(at, "is required ("+fault.JSONKind(f.Type)+")")
			}
		}
	}
}

// defaultsQuietly reports whether a member of type t, left out, is read as a value that could have
// been meant (false, 0) rather than one the payload's checks refuse.
func defaultsQuietly(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		pt := reflect.PointerTo(t)
		if pt.Implements(textUnmarshaler) {
			return false
		}
		if pt.Implements(jsonUnmarshaler) {
			// encoding/json never calls UnmarshalJSON for a member left out: the member reads 0 quietly
			// when 0 is a value the type accepts (Pence, BasisPoints; not FinancialYear, refused by check).
			return reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON([]byte("0")) == nil
		}
		return true
	}
	return false
}
