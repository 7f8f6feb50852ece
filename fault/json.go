package fault

import (
	"bytes"
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

// JSONProblemIn is JSONProblem for an error met decoding the whole document doc (json.Unmarshal's,
// or the first json.Decoder.Decode's over doc): the pointer names the value at fault with its list
// indexes ("/events/3/leaf_index", where encoding/json says only "events.leaf_index"), an unsigned
// member says so ("must be a whole number from 0 to 18446744073709551615, not a JSON number -1"), and a document that is
// not JSON is placed by line and column: "not valid JSON at byte 17 (line 2, column 5)",
// "not complete JSON: it ends at byte 5000 (line 1, column 5001) before the value does".
func JSONProblemIn(doc []byte, err error) (pointer, reason string) {
	pointer, reason = JSONProblem(err)
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &ute):
		if p, ok := JSONPointerAt(doc, ute.Offset); ok {
			pointer = p
		}
		if ute.Type != nil && ute.Type.Kind() >= reflect.Uint && ute.Type.Kind() <= reflect.Uint64 {
			reason = fmt.Sprintf("must be a whole number from 0 to %d, not a JSON %s", ^uint64(0)>>(64-ute.Type.Bits()), ute.Value)
		}
	case errors.As(err, &se) && se.Offset >= int64(len(doc)) && strings.HasPrefix(se.Error(), "unexpected end"):
		if len(bytes.TrimSpace(doc)) == 0 {
			return "", "empty: not JSON"
		}
		reason = fmt.Sprintf("not complete JSON: it ends at byte %d (%s) before the value does", len(doc), lineColumn(doc, int64(len(doc))))
	case errors.As(err, &se):
		reason = fmt.Sprintf("not valid JSON at byte %d (%s)", se.Offset, lineColumn(doc, se.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		if len(bytes.TrimSpace(doc)) == 0 {
			return "", "empty: not JSON"
		}
		reason = fmt.Sprintf("not complete JSON: it ends at byte %d (%s) before the value does", len(doc), lineColumn(doc, int64(len(doc))))
	}
	return pointer, reason
}

// lineColumn says where byte offset off of doc is, from 1: "line 2, column 5" (a column counts bytes).
func lineColumn(doc []byte, off int64) string {
	off = min(max(off, 0), int64(len(doc)))
	before := doc[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int64(len(before)-bytes.LastIndexByte(before, '\n')-1) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// JSONPointerAt is the RFC 6901 pointer of the innermost value of the JSON document doc whose text
// holds byte offset off (as encoding/json's UnmarshalTypeError.Offset gives it: the end of a scalar,
// or just past a list's or object's opening bracket); ok is false when doc is not JSON up to there or
// off is outside every value.
func JSONPointerAt(doc []byte, off int64) (pointer string, ok bool) {
	type frame struct {
		list    bool
		n       int // a list's index of the current element
		key     string
		wantKey bool
	}
	var st []frame
	path := func() string {
		var b strings.Builder
		for _, f := range st {
			if f.list {
				b.WriteString("/" + strconv.Itoa(f.n))
			} else {
				b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(f.key))
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := len(st) - 1
		if d, isDelim := tok.(json.Delim); isDelim && (d == '}' || d == ']') {
			st = st[:top]
			if top > 0 && !st[top-1].list {
				st[top-1].wantKey = true
			}
			continue
		}
		if top >= 0 && !st[top].list && st[top].wantKey {
			st[top].key, st[top].wantKey = tok.(string), false
			continue
		}
		if top >= 0 && st[top].list {
			st[top].n++
		}
		end := dec.InputOffset()
		if d, isDelim := tok.(json.Delim); isDelim {
			if off == end {
				return path(), true
			}
			st = append(st, frame{list: d == '[', n: -1, wantKey: d == '{'})
			continue
		}
		if before < off && off <= end {
			return path(), true
		}
		if top >= 0 && !st[top].list {
			st[top].wantKey = true
		}
	}
}
