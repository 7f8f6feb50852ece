package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// Unmarshal decodes data, one JSON value, into v as strictly as commands are decoded: member names
// must match the struct's JSON names exactly (case included), and unknown members, wrong JSON types,
// malformed values and trailing data are refused. The error is a *ValidationError (ErrMalformed)
// with one problem at the JSON pointer (RFC 6901) of the value at fault, relative to data.
func Unmarshal(data []byte, v any) error {
	if err := strictUnmarshal(data, v); err != nil {
		var p problems
		valueProblem(&p, "", err)
		return p.err()
	}
	return nil
}

// UnmarshalBody decodes body, the JSON body of a request that carries what ("the event", "the
// token's role and actor"), into v, a pointer to a struct, as Unmarshal does, after the checks of the
// body as a whole: it must not be empty, its exact bytes must pass eventstore.Gate (RFC 8259 and the
// ledger's limits), and it must be a JSON object. The error is a *ValidationError (ErrMalformed)
// with one problem at the JSON pointer (RFC 6901) of the value at fault, "" for the whole body:
// "the body is empty: send the event as a JSON object", "the body must be a JSON object, not a JSON
// array", "/data/amount_pence: must be a whole number, not a JSON number 4200000.5". No message
// names a Go type.
func UnmarshalBody(body []byte, what string, v any) error {
	var p problems
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		p.malformed("", fmt.Sprintf("the body is empty: send %s as a JSON object", what))
		return p.err()
	}
	if _, err := eventstore.Gate(body); err != nil {
		gateProblem(&p, "", err)
		return p.err()
	}
	if trimmed[0] != '{' {
		p.malformed("", fmt.Sprintf("the body must be a JSON object, not %s: send %s as a JSON object", jsonValueKind(trimmed[0]), what))
		return p.err()
	}
	return Unmarshal(body, v)
}

// jsonValueKind names the kind of the JSON value that starts with b, for a message: "a JSON array".
func jsonValueKind(b byte) string {
	switch b {
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "JSON null"
	case '{':
		return "a JSON object"
	}
	return "a JSON number"
}

// valueError is a value of a decoded document that cannot be read: where (Pointer, an RFC 6901
// pointer relative to the document, "" for the whole) and why. strictUnmarshal returns it.
type valueError struct {
	Pointer string
	Reason  string
}

func (e *valueError) Error() string {
	if e.Pointer == "" {
		return e.Reason
	}
	return e.Pointer + ": " + e.Reason
}

// valueProblem adds a malformed problem for a decoding error of a document found at the pointer
// at, at the pointer of the value at fault when the error knows it.
func valueProblem(p *problems, at string, err error) {
	var ve *valueError
	if errorsAs(err, &ve) {
		p.malformed(at+ve.Pointer, ve.Reason)
		return
	}
	p.malformed(at, err.Error())
}

// pointerToken escapes a member name as one reference token of a JSON pointer (RFC 6901 §3).
var pointerToken = strings.NewReplacer("~", "~0", "/", "~1")

// locate finds the value of data that t cannot decode, descending through objects and arrays: the
// deepest member whose own decoding fails. err is the decoding error of the whole, given back
// (translated) when no member fails on its own.
func locate(data []byte, t reflect.Type, path string, err error) *valueError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if !pt.Implements(textUnmarshaler) && !pt.Implements(jsonUnmarshaler) {
		switch data = bytes.TrimSpace(data); {
		case len(data) > 0 && data[0] == '{' && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map):
			var fields map[string]reflect.Type
			if t.Kind() == reflect.Struct {
				fields = fieldsOf(t)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			_, _ = dec.Token() // {
			for dec.More() {
				tok, terr := dec.Token()
				key, _ := tok.(string)
				var raw json.RawMessage
				if terr != nil || dec.Decode(&raw) != nil {
					break
				}
				var ft reflect.Type
				if fields == nil {
					ft = t.Elem()
				} else {
					var ok bool
					if ft, ok = fields[key]; !ok {
						return &valueError{Pointer: path + "/" + pointerToken.Replace(key), Reason: fmt.Sprintf("unknown field %q", key)}
					}
				}
				if e := decodeAs(raw, ft); e != nil {
					return locate(raw, ft, path+"/"+pointerToken.Replace(key), e)
				}
			}
		case len(data) > 0 && data[0] == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && t.Elem().Kind() != reflect.Uint8:
			var items []json.RawMessage
			if json.Unmarshal(data, &items) == nil {
				for i, raw := range items {
					if e := decodeAs(raw, t.Elem()); e != nil {
						return locate(raw, t.Elem(), path+"/"+strconv.Itoa(i), e)
					}
				}
			}
		}
	}
	if t == uuidType && !errorsAs(err, new(*json.UnmarshalTypeError)) {
		return &valueError{Pointer: path, Reason: NotAnEventID}
	}
	return &valueError{Pointer: path, Reason: reason(err)}
}

// uuidType is the type of event ids.
var uuidType = reflect.TypeFor[uuid.UUID]()

// NotAnEventID is what is wrong with a text given as an event id that does not read as one.
const NotAnEventID = "is not an event id (a UUID such as 0190f2d4-8a6e-7c3b-9f1d-2b5e4a6c8d0f)"

// decodeAs decodes data strictly into a new value of t, for locate.
func decodeAs(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(reflect.New(t).Interface())
}

// reason says what is wrong with a value, in words rather than Go's type names (fault.JSONProblem);
// a syntax error keeps encoding/json's description after the byte offset.
func reason(err error) string {
	var se *json.SyntaxError
	if errorsAs(err, &se) {
		return fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, se)
	}
	_, r := fault.JSONProblem(err)
	return r
}
