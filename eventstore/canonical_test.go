package eventstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/eventstore"
)

func hexString(b []byte) string   { return hex.EncodeToString(b) }
func sha256Hex(b []byte) string   { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func repeat(c byte, n int) string { return strings.Repeat(string(c), n) }

// Cases from RFC 8785 (sections 3.2.2, 3.2.3 and appendix B).
func TestCanonicalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1, "a":2}`, `{"a":2,"b":1}`},
		{`[56, {"d": true, "10": null, "1": []}]`, `[56,{"1":[],"10":null,"d":true}]`},
		{`{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]}`,
			`{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}`},
		{`{"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"}`, `{"string":"€$\u000f\nA'B\"\\\\\"/"}`},
		{`{"literals": [null, true, false]}`, `{"literals":[null,true,false]}`},
		{`{"\u20ac":1,"\r":2,"\ud83d\ude00":3,"\u0080":4,"1":5,"\u00f6":6}`, "{\"\\r\":2,\"1\":5,\"\u0080\":4,\"ö\":6,\"€\":1,\"😀\":3}"},
		{`-0`, `0`},
		{`1e21`, `1e+21`},
		{`1e-7`, `1e-7`},
		{`0.000001`, `0.000001`},
		{`9007199254740992`, `9007199254740992`},
		{`4000000`, `4000000`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := eventstore.Canonicalize([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestCanonicalizeRefuses(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1,"a":2}`, `[1] [2]`, `9007199254740993`, "\"\xff\"", `{"a":1}x`, `1e400`} {
		_, err := eventstore.Canonicalize([]byte(in))
		assert.ErrorIs(t, err, eventstore.ErrInvalidJSON, "input %q", in)
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2.5,"x"]}`, `[]`, `"\u0000"`, `1e-7`, `{"a":{"b":null}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := eventstore.Canonicalize(in)
		if err != nil {
			return
		}
		again, err := eventstore.Canonicalize(out)
		require.NoError(t, err, "canonical output %q must parse", out)
		require.Equal(t, string(out), string(again), "canonicalisation must be idempotent")
	})
}
