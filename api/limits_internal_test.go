package api

import (
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/tokens"
)

func TestCallerNamesTokenElseAddress(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	id := uuid.MustParse("0190f2d4-6b1a-7c3e-9f00-000000000001")
	for _, tc := range []struct {
		remote string
		p      tokens.Principal
		want   string
	}{
		{"192.0.2.7:5000", tokens.Principal{TokenID: id}, "token " + id.String()},
		{"192.0.2.7:5000", tokens.Principal{}, "addr 192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", tokens.Principal{}, "addr 2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", tokens.Principal{}, "addr 2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", tokens.Principal{}, "addr ::ffff:192.0.2.7"},
		{"pipe", tokens.Principal{}, "addr pipe"},
	} {
		r.RemoteAddr = tc.remote
		if got := Caller(r, tc.p); got != tc.want {
			t.Errorf("Caller(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}
