package domain

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// exactKeys checks that every object key in data names a field of v's type exactly. encoding/json
// matches keys case-insensitively ("Council" would fill "council"), and stored payloads must be
// written one way only.
func exactKeys(data []byte, v any) error {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	return walkKeys(raw, reflect.TypeOf(v), "")
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

func walkKeys(raw any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(textUnmarshaler) || pt.Implements(jsonUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil // a type mismatch, reported by the decoder
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
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("json: unknown field %q at %s/", k, path)
			}
			if err := walkKeys(v, ft, path+"/"+k); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := raw.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i, v := range arr {
			if err := walkKeys(v, t.Elem(), fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
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
