package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever the sign-in form is given as next=, the redirect target is a path of this
// origin as a browser reads it (WHATWG URL parsing drops tabs and newlines and reads "\" as "/").
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/partnerships/x?as_of=2016-06-30", "//evil.example", "/\t/evil.example", "/%09/evil.example",
		`/\evil.example`, "https://evil.example", "/%2F%2Fevil.example", "/a b", "/\u2028x", "/..//evil.example"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://ledger.example/signin")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(got)
		u, err := base.Parse(browser)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("safeNext(%q) = %q leads a browser to %v (%v)", next, got, u, err)
		}
		if got != "/" {
			g, err1 := url.Parse(got)
			n, err2 := url.Parse(next)
			if err1 != nil || err2 != nil || g.Path != n.Path || g.RawQuery != n.RawQuery {
				t.Fatalf("safeNext(%q) = %q: a kept target names the same path and query", next, got)
			}
		}
	})
}
