package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/fault/faulttest"
)

// TestUnmarshalPointsAtTheValue: a value that cannot be decoded is reported at its JSON pointer,
// however deep, in words rather than Go's type names.
func TestUnmarshalPointsAtTheValue(t *testing.T) {
	type inner struct {
		Count int    `json:"count"`
		Name  string `json:"name"`
	}
	type doc struct {
		Items []inner           `json:"items"`
		Day   domain.Date       `json:"day"`
		Who   domain.CouncilRef `json:"who"`
		Tags  map[string]inner  `json:"tags"`
	}
	tests := []struct{ in, pointer, want string }{
		{`{"items":[{"count":1},{"count":"2"}]}`, "/items/1/count", "must be a whole number, not a JSON string"},
		{`{"items":[{"name":"x","colour":1}]}`, "/items/0/colour", `unknown field "colour"`},
		{`{"Items":[]}`, "/Items", `unknown field "Items"`},
		{`{"day":"2016-02-30"}`, "/day", "2016-02-30"},
		{`{"who":7}`, "/who", "must be a string, not a JSON number"},
		{`{"tags":{"a/b":{"count":true}}}`, "/tags/a~1b/count", "must be a whole number, not a JSON bool"},
		{`{"items":`, "", "not valid JSON"},
		{`{} {}`, "", "unexpected data after the JSON value"},
	}
	for _, tt := range tests {
		var d doc
		err := domain.Unmarshal([]byte(tt.in), &d)
		require.Error(t, err, tt.in)
		assert.ErrorIs(t, err, domain.ErrMalformed)
		assert.Equal(t, fault.Malformed, fault.KindOf(err))
		f := fault.Of(err)
		require.Len(t, f.Fields, 1, tt.in)
		assert.Equal(t, tt.pointer, f.Fields[0].Pointer, tt.in)
		assert.Contains(t, f.Fields[0].Message, tt.want, tt.in)
		faulttest.AssertForPeople(t, f.Message)
	}
	var d doc
	require.NoError(t, domain.Unmarshal([]byte(`{"items":[{"count":1,"name":"x"}],"day":"2016-02-29","who":"north-norfolk"}`), &d))
	assert.Equal(t, 1, d.Items[0].Count)
}

// FuzzUnmarshal: whatever the bytes, Unmarshal ends in a value or one malformed problem for people
// whose pointer is "" or an RFC 6901 pointer, never a panic.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{"officer":{"name":"x"},"councils":[{"council":"a","time_share_basis_points":"1"}]}`,
		`{"starts_on":"2016-02-30"}`, `{"councils":[{"Council":"a"}]}`, `{"post":[1]}`, `[]`, `{"a~b/c":1}`, `{"officer":{"name":7}} x`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p domain.JointAppointmentMade
		err := domain.Unmarshal([]byte(s), &p)
		if err == nil {
			return
		}
		fe := fault.Of(err)
		require.NotNil(t, fe, "%v", err)
		require.Equal(t, fault.Malformed, fe.Kind)
		require.Len(t, fe.Fields, 1)
		ptr := fe.Fields[0].Pointer
		require.True(t, ptr == "" || ptr[0] == '/', "pointer %q", ptr)
		require.NotEmpty(t, fe.Message)
	})
}
