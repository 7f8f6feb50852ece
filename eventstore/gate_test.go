package eventstore_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

// TestGateRefuses is the table of faults the gate exists for (issue 16): each is refused with the
// JSON pointer of the value at fault.
func TestGateRefuses(t *testing.T) {
	tests := []struct {
		name, in, pointer, reason string
	}{
		{"repeated name", `{"amount_pence":100,"amount_pence":999}`, "/amount_pence", "repeated member name"},
		{"repeated name spelled with an escape", `{"amount_pence":100,"\u0061mount_pence":999}`, "/amount_pence", "repeated member name"},
		{"repeated name deep", `{"a":[{"b":{"c":1,"c":2}}]}`, "/a/0/b/c", "repeated member name"},
		{"repeated type", `{"type":"A","data":{},"type":"B"}`, "/type", "repeated member name"},
		{"lone high surrogate", `{"category":"x\ud800y"}`, "/category", "lone surrogate"},
		{"lone low surrogate", `{"category":"x\udc00y"}`, "/category", "surrogate"},
		{"surrogate then letter", `{"category":"\ud800\u0041"}`, "/category", "surrogate"},
		{"raw invalid UTF-8", "{\"category\":\"x\xed\xa0\x80y\"}", "/category", "UTF-8"},
		{"raw invalid byte", "{\"category\":\"x\xffy\"}", "/category", "UTF-8"},
		{"escaped NUL", `{"a":["ok","x\u0000y"]}`, "/a/1", "U+0000"},
		{"raw NUL", "{\"a\":\"x\x00y\"}", "/a", "U+0000"},
		{"escaped backspace", `{"a":"x\by"}`, "/a", "U+0008"},
		{"raw DEL", "{\"a\":\"x\x7fy\"}", "/a", "U+007F"},
		{"escaped DEL", `{"a":"x\u007fy"}`, "/a", "U+007F"},
		{"raw C1", "{\"a\":\"x\u0085y\"}", "/a", "U+0085"},
		{"escaped C1", `{"a":"x\u009fy"}`, "/a", "U+009F"},
		{"right-to-left override", "{\"name\":\"abc\u202edcb\"}", "/name", "U+202E"},
		{"escaped left-to-right embedding", `{"name":"\u202a"}`, "/name", "U+202A"},
		{"isolate", "{\"name\":\"\u2066x\u2069\"}", "/name", "U+2066"},
		{"control in a member name", `{"a\u0001":1}`, "", "U+0001"},
		{"pointer escapes ~ and /", `{"a/b":{"c~d":"\u0000"}}`, "/a~1b/c~0d", "U+0000"},
		{"trailing data", `{} {}`, "", "after the JSON value"},
		{"unsafe integer", `{"amount_pence":9007199254740993}`, "/amount_pence", "2^53"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eventstore.Gate([]byte(tt.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, eventstore.ErrInvalidJSON)
			var je *eventstore.JSONError
			require.True(t, errors.As(err, &je), "error %T", err)
			assert.Equal(t, tt.pointer, je.Pointer)
			assert.Contains(t, je.Reason, tt.reason)
		})
	}
}

func TestGateAdmits(t *testing.T) {
	for in, want := range map[string]string{
		"{\"notes\":\"line one\\nline two\\ttab\\r\"}":                          "{\"notes\":\"line one\\nline two\\ttab\\r\"}",
		`{"b":"Cymraeg: ŵ ŷ","a":"😀 \ud83d\ude00"}`:                             `{"a":"😀 😀","b":"Cymraeg: ŵ ŷ"}`,
		"{\"rtl\":\"\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\"}": "{\"rtl\":\"\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\"}",
		"{\"zwj\":\"\U0001F469\u200d\U0001F4BB\"}":                              "{\"zwj\":\"\U0001F469\u200d\U0001F4BB\"}",
	} {
		got, err := eventstore.Gate([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, string(got))
	}
}

// FuzzGate checks that the gate admits a subset of what Canonicalize accepts, with the same bytes,
// that what it admits is admitted again unchanged, and that every string in it passes TextProblem.
func FuzzGate(f *testing.F) {
	for _, s := range []string{`{"amount_pence":100,"amount_pence":999}`, `{"a":"x\ud800y"}`, `"\u0000"`, "\"\u202e\"",
		`{"a":[1,{"b":"\u0085"}]}`, `{"\u0061":1,"a":2}`, `"\t\n\r"`, "\"\xed\xa0\x80\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		gated, err := eventstore.Gate(in)
		canon, cerr := eventstore.Canonicalize(in)
		if err != nil {
			var je *eventstore.JSONError
			require.ErrorAs(t, err, &je)
			return
		}
		require.NoError(t, cerr, "the gate admits only what Canonicalize accepts")
		require.Equal(t, string(canon), string(gated))
		again, err := eventstore.Gate(gated)
		require.NoError(t, err)
		require.Equal(t, string(gated), string(again))
		require.True(t, utf8.Valid(gated))
	})
}

// TestTextProblemEveryRune checks the byte-level text rule against its definition for every code point.
func TestTextProblemEveryRune(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // not encodable in UTF-8
		}
		bad := (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
		msg := eventstore.TextProblem("a" + string(r) + "b")
		if bad != (msg != "") {
			t.Fatalf("U+%04X: bad=%v, TextProblem=%q", r, bad, msg)
		}
		if bad && !strings.Contains(msg, fmt.Sprintf("U+%04X", r)) {
			t.Fatalf("U+%04X: message %q does not name it", r, msg)
		}
	}
	assert.NotEmpty(t, eventstore.TextProblem("caf\xe9"))
}
