package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// Issue 22 point 3: a body that is empty, not JSON or not an object is refused as a whole (pointer
// ""), saying which; a member at fault is named by its pointer; no message names a Go type (a body of
// [] said "a JSON array cannot be a struct { Type string ... }", an empty one "EOF").
func TestDecodeCommandBodies(t *testing.T) {
	for _, tt := range []struct{ body, pointer, want string }{
		{"", "", "the body is empty: send the event as a JSON object"},
		{"\n \t", "", "the body is empty: send the event as a JSON object"},
		{"[]", "", "the body must be a JSON object, not a JSON array: send the event as a JSON object"},
		{"7", "", "the body must be a JSON object, not a JSON number"},
		{"-7", "", "the body must be a JSON object, not a JSON number"},
		{`"x"`, "", "the body must be a JSON object, not a JSON string"},
		{"false", "", "the body must be a JSON object, not a JSON boolean"},
		{"null", "", "the body must be a JSON object, not JSON null"},
		{"{} []", "", "unexpected data after the JSON value"},
		{`{"type":7}`, "/type", "must be a string, not a JSON number"},
		{`{"type":"SavingsReported","data":{"a":1,"a":2}}`, "/data/a", `repeated member name "a"`},
		{`{"type":"SavingsReported","colour":1}`, "/colour", `unknown field "colour"`},
		{`{"sources":[{"kind":"press","title":7}]}`, "/sources/0/title", "must be a string, not a JSON number"},
	} {
		_, err := domain.DecodeCommand("great-yarmouth-north-norfolk", []byte(tt.body))
		require.Error(t, err, "%q", tt.body)
		assert.ErrorIs(t, err, domain.ErrMalformed, "%q", tt.body)
		f := fault.Of(err)
		require.NotNil(t, f)
		require.Len(t, f.Fields, 1, "%q", tt.body)
		assert.Equal(t, tt.pointer, f.Fields[0].Pointer, "%q", tt.body)
		assert.Contains(t, f.Fields[0].Message, tt.want, "%q", tt.body)
		faulttest.AssertForPeople(t, f.Message)
		faulttest.AssertForPeople(t, f.Fields[0].Message)
	}
}

// FuzzUnmarshalBody: whatever the bytes, a request body decodes (a command, a token request) or is
// refused with one malformed problem for people, at "" or an RFC 6901 pointer, that names no Go
// type; never a panic. Seeds: testdata/fuzz/FuzzUnmarshalBody.
func FuzzUnmarshalBody(f *testing.F) {
	for _, s := range []string{"", " ", "[]", "7", `"x"`, "null", "true", `{"type":7}`, `{"type":"SavingsReported","data":[]}`,
		`{"sources":{}}`, `{"effective_on":[1]}`, `{"role":1}`, `{"a":1} x`, "\xff", `{"type":"x","type":"y"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in struct {
			Role  string `json:"role"`
			Actor string `json:"actor"`
		}
		for _, err := range []error{
			domain.UnmarshalBody(body, "the token's role and actor", &in),
			func() error { _, err := domain.DecodeCommand("great-yarmouth-north-norfolk", body); return err }(),
		} {
			if err == nil {
				continue
			}
			fe := fault.Of(err)
			require.NotNil(t, fe, "%v", err)
			require.Equal(t, fault.Malformed, fe.Kind, "%v", err)
			require.Len(t, fe.Fields, 1, "%v", err)
			ptr := fe.Fields[0].Pointer
			require.True(t, ptr == "" || ptr[0] == '/', "pointer %q", ptr)
			if !faulttest.AssertForPeople(t, fe.Message) || !faulttest.AssertForPeople(t, fe.Fields[0].Message) {
				t.FailNow()
			}
		}
	})
}
