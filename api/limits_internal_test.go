package api

import (
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
)

func TestCallerNamesTokenElseAddress(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	id := uuid.MustParse("0190f2d4-6b1a-7c3e-9f00-000000000001")
	for _, tc := range []struct {
		remote string
		p      Principal
		want   string
	}{
		{"192.0.2.7:5000", Principal{TokenID: id}, "token " + id.String()},
		{"192.0.2.7:5000", Principal{}, "addr 192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", Principal{}, "addr 2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", Principal{}, "addr 2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.7]:80", Principal{}, "addr ::ffff:192.0.2.7"},
		{"pipe", Principal{}, "addr pipe"},
	} {
		r.RemoteAddr = tc.remote
		if got := Caller(r, tc.p); got != tc.want {
			t.Errorf("Caller(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}
