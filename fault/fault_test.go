package fault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

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
		fault.TooLarge, fault.NotFound, fault.Conflict, fault.Unauthorized, fault.Forbidden, fault.Busy,
		fault.TooManyRequests, fault.NotReady, fault.NotImplemented, fault.Internal} {
		assert.Equal(t, k, fault.KindOfType(k.Type()), k)
	}
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
