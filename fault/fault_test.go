package fault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// described is an error type that keeps its own fields and describes itself for people.
type described struct{ field string }

func (d *described) Error() string { return "pkg: described " + d.field }
func (d *described) Fault() *fault.Error {
	return (&fault.Error{Kind: fault.Malformed, Message: d.field + " is wrong"}).At("/"+d.field, "is wrong")
}

func TestAccessorsFollowTheChain(t *testing.T) {
	sentinel := errors.New("pkg: sentinel")
	e := &fault.Error{Kind: fault.NotFound, Message: "no partnership \"x\" is recorded", Err: sentinel}
	wrapped := fmt.Errorf("state: %w", e)
	assert.Equal(t, fault.NotFound, fault.KindOf(wrapped))
	assert.Equal(t, "no partnership \"x\" is recorded", fault.Message(wrapped))
	assert.ErrorIs(t, wrapped, sentinel, "the cause stays matchable")
	assert.Equal(t, "", fault.Pointer(wrapped))

	d := fmt.Errorf("decode: %w", &described{field: "amount"})
	assert.Equal(t, fault.Malformed, fault.KindOf(d))
	assert.Equal(t, "amount is wrong", fault.Message(d))
	assert.Equal(t, "/amount", fault.Pointer(d))

	joined := errors.Join(errors.New("plain"), &described{field: "x"})
	assert.Equal(t, "/x", fault.Pointer(joined), "errors.Join is searched too")

	plain := errors.New("disk full")
	assert.Equal(t, fault.Internal, fault.KindOf(plain))
	assert.Equal(t, "", fault.Message(plain), "an error without a message for people has none")
	assert.Nil(t, fault.Of(plain))
	assert.Equal(t, fault.Kind(""), fault.KindOf(nil))
}

func TestErrorTextKeepsTheCause(t *testing.T) {
	e := fault.Wrap(fault.Busy, errors.New("deadline"), "the partnership is busy")
	assert.Equal(t, "the partnership is busy: deadline", e.Error())
	assert.Equal(t, "the partnership is busy", fault.Errorf(fault.Busy, "the partnership is %s", "busy").Error())
}

func TestKindsRoundTripThroughProblemTypes(t *testing.T) {
	for _, k := range []fault.Kind{fault.Malformed, fault.Rule, fault.Unprocessable, fault.UnsupportedMedia,
		fault.TooLarge, fault.NotFound, fault.MethodNotAllowed, fault.Conflict, fault.PreconditionFailed,
		fault.Unauthorized, fault.Forbidden, fault.Busy, fault.TooManyRequests, fault.NotReady,
		fault.NotImplemented, fault.Internal} {
		assert.Equal(t, k, fault.KindOfType(k.Type()), k)
	}
	assert.Len(t, fault.Kinds(), 16, "every kind is listed once")
	assert.Equal(t, fault.Internal, fault.KindOfType("/problems/nosuch"))
	assert.Equal(t, fault.Internal, fault.KindOfType("about:blank"))
}

func TestFieldsInOrder(t *testing.T) {
	e := fault.Errorf(fault.Malformed, "two problems").Param("as_of", "not a date").At("/data/x", "bad")
	assert.Equal(t, []fault.Field{{Parameter: "as_of", Message: "not a date"}, {Pointer: "/data/x", Message: "bad"}}, e.Fields)
	assert.Equal(t, "/data/x", fault.Pointer(e), "the first field that has a pointer")
}

func TestJSONProblemSpeaksForPeople(t *testing.T) {
	var v struct {
		Event struct {
			Seq uint64 `json:"seq"`
		} `json:"event"`
	}
	for _, tt := range []struct{ doc, ptr, why string }{
		{`{"event":{"seq":"x"}}`, "/event/seq", "must be a whole number, not a JSON string"},
		{`[1]`, "", "must be an object, not a JSON array"},
		{`in`, "", "not valid JSON at byte 1"},
		{`{"event":`, "", "not valid JSON at byte 9"},
	} {
		ptr, why := fault.JSONProblem(json.Unmarshal([]byte(tt.doc), &v))
		assert.Equal(t, tt.ptr, ptr, tt.doc)
		assert.Equal(t, tt.why, why, tt.doc)
		faulttest.AssertForPeople(t, why)
	}
}

// TestJSONProblemInNamesTheIndexedMember: a value of the wrong type deep in lists is named by its
// pointer with the indexes (encoding/json says "events.leaf_index"), with what is allowed; a document
// that is not JSON, or stops short, is placed by byte, line and column.
func TestJSONProblemInNamesTheIndexedMember(t *testing.T) {
	type cited struct {
		LeafIndex uint64 `json:"leaf_index"`
		Name      string `json:"name"`
	}
	type Evidence struct {
		Events []cited `json:"events"`
	}
	var v struct {
		Format string `json:"format"`
		*Evidence
		Tags []string `json:"tags"`
	}
	for _, tt := range []struct{ doc, pointer, reason string }{
		{`{"format":"x","events":[{"leaf_index":1},{"name":"a","leaf_index":-1}]}`, "/events/1/leaf_index", "must be a whole number from 0 to 18446744073709551615, not a JSON number -1"},
		{"{\"format\":\"x\",\n \"events\":[{\"leaf_index\":{\"a\":[1]}}]}", "/events/0/leaf_index", "must be a whole number from 0 to 18446744073709551615, not a JSON object"},
		{`{"events":[{"leaf_index":2}, {}, {"name":["x"]}],"tags":["a/~b"]}`, "/events/2/name", "must be a string, not a JSON array"},
		{`{"tags":["a",1]}`, "/tags/1", "must be a string, not a JSON number"},
		{`{"format":"x",` + "\n" + `"events":[{"leaf_index":1}`, "", "not complete JSON: it ends at byte 41 (line 2, column 27) before the value does"},
		{"{\"format\":\"x\",\n  \"events\": x}", "", "not valid JSON at byte 28 (line 2, column 14)"},
		{"  ", "", "empty: not JSON"},
	} {
		err := json.Unmarshal([]byte(tt.doc), &v)
		require.Error(t, err, tt.doc)
		p, r := fault.JSONProblemIn([]byte(tt.doc), err)
		assert.Equal(t, tt.pointer, p, tt.doc)
		assert.Equal(t, tt.reason, r, tt.doc)
	}
	p, ok := fault.JSONPointerAt([]byte(`{"a/b":[0,{"c~":true}]}`), 20)
	assert.True(t, ok)
	assert.Equal(t, "/a~1b/1/c~0", p)
}
