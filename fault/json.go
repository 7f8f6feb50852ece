package fault

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// JSONProblem says, in people's words, what is wrong with a JSON document that encoding/json could
// not decode (err is json.Unmarshal's or a json.Decoder's error): pointer is the RFC 6901 JSON
// pointer of the value at fault, relative to the document ("" for the whole document, or when the
// error does not say), and reason what is wrong with it ("must be a whole number, not a JSON
// string", "not valid JSON at byte 3"), never a Go type name nor encoding/json's own wording.
// An error of a value's own decoder (a date, an id) is given back as its text, without a "json: "
// prefix.
func JSONProblem(err error) (pointer, reason string) {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		if ute.Field != "" {
			var b strings.Builder
			for tok := range strings.SplitSeq(ute.Field, ".") {
				b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
			}
			pointer = b.String()
		}
		if ute.Type == nil {
			return pointer, fmt.Sprintf("must not be a JSON %s", ute.Value)
		}
		return pointer, fmt.Sprintf("must be %s, not a JSON %s", JSONKind(ute.Type), ute.Value)
	case errors.As(err, &se):
		return "", "not valid JSON at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "", "not valid JSON: it ends before the value does"
	}
	return "", strings.TrimPrefix(err.Error(), "json: ")
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// JSONKind names, for people, the JSON value a Go type is read from: "a string" (strings and every
// type read from text: dates, ids, amounts), "a whole number", "a number", "true or false", "a list"
// or "an object".
func JSONKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}
