package domain

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// exactKeysReference is the first exactKeys: decode into map[string]any and walk it beside the type.
// FuzzExactKeys holds the byte walker to it.
func exactKeysReference(data []byte, v any) error {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	return walkKeysReference(raw, reflect.TypeOf(v), "")
}

func walkKeysReference(raw any, t reflect.Type, path string) error {
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
			return nil
		}
		fields := fieldsOf(t)
		for k, v := range obj {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("json: unknown field %q at %s/", k, path)
			}
			if err := walkKeysReference(v, ft, path+"/"+k); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := raw.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i, v := range arr {
			if err := walkKeysReference(v, t.Elem(), fmt.Sprintf("%s/%d", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func FuzzExactKeys(f *testing.F) {
	for _, s := range []string{
		`{"officer":{"name":"x"},"councils":[{"council":"a","time_share_basis_points":1}],"approvals":[{"raw":"r"}]}`,
		`{"officer":{"Name":"x"}}`, `{"Officer":{}}`, `{"councils":[{"Council":"a"}]}`, `{"\u006ffficer":{"name":"x"}}`,
		`{"officer":"x","councils":{"a":1}}`, `{"starts_on":{"x":1},"post":[{"y":2}]}`, `[1,{"a":2}]`, `"x"`, `{ "officer" : { "name" : "x" } , "post" : "p" }`,
		"{\"post\":\"a\\\"b\",\"officer\":{\"nam\\u0065\":\"q\"}}", "{\"x\xff\":1}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p JointAppointmentMade
		if json.Unmarshal([]byte(s), new(any)) != nil {
			return // exactKeys runs on valid JSON only
		}
		got, want := exactKeys([]byte(s), &p), exactKeysReference([]byte(s), &p)
		if (got == nil) != (want == nil) {
			t.Fatalf("%q: walker %v, reference %v", s, got, want)
		}
	})
}
