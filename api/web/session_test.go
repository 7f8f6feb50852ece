package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/web"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// noFollow is a client with a cookie jar that shows redirects instead of following them.
func noFollow(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// browserResolve resolves a Location header the way a browser does (WHATWG URL: tabs and newlines
// are removed, backslashes are slashes in http(s) URLs) against base.
func browserResolve(t *testing.T, base *url.URL, loc string) *url.URL {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
	u, err := base.Parse(loc)
	require.NoError(t, err, loc)
	return u
}

// Issue #18: next=/%09/host/... after sign-in sent the browser to another origin.
func TestSignInRedirectStaysOnThisOrigin(t *testing.T) {
	srv := newServer(t)
	base, _ := url.Parse(srv.URL)
	hostile := []string{
		"//evil.example/x",
		"///evil.example/x",
		`/\evil.example/x`,
		`\\evil.example`,
		"/\t/evil.example/x",
		"/%09/evil.example/x",
		"/\n/evil.example",
		"/\r\n/evil.example",
		"/%0a/evil.example",
		"/%2F/evil.example",
		"/%2f%2fevil.example",
		"/%5Cevil.example",
		"/%5C%5Cevil.example",
		"/ /evil.example",
		" //evil.example",
		"https://evil.example/",
		"http:evil.example",
		"HTTPS://evil.example",
		"javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"evil.example",
		"",
		"/\x00/evil.example",
		"/\u2028/evil.example",
		"/%E2%80%A8/evil.example",
		"/x?\r\nSet-Cookie: a=b",
		"/" + strings.Repeat("a", 3000),
	}
	for _, next := range hostile {
		c := noFollow(t)
		res, err := postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}, "next": {next}})
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode, "%q", next)
		loc := res.Header.Get("Location")
		assert.Equal(t, "/", loc, "next=%q", next)
		assert.Equal(t, base.Host, browserResolve(t, base, loc).Host, "next=%q", next)

		// The form carries the cleaned target, never the hostile one.
		_, body := get(t, srv.Client(), srv.URL+"/signin?next="+url.QueryEscape(next))
		m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(body)
		require.NotNil(t, m)
		assert.Equal(t, "/", html.UnescapeString(m[1]), "next=%q", next)
	}
	for _, next := range []string{gnn + "/record", gnn + "?as_of=2016-06-30&known_at=2016-06-01", "/events/0190f2d4-6b1a-7c3e-9f00-000000000001", "/partnerships/a%20b"} {
		c := noFollow(t)
		res, err := postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}, "next": {next}})
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, next, res.Header.Get("Location"), "a path of this site is kept")
	}
}

// Issue #18: /signin had no CSRF token, so another site could sign a browser in with its own token.
func TestSignInNeedsItsFormsCSRFToken(t *testing.T) {
	srv := newServer(t)
	for name, form := range map[string]url.Values{
		"no token":    {"token": {clerkToken}},
		"a made one":  {"token": {clerkToken}, "csrf": {"00112233445566778899aabbccddeeff0011223344556677"}},
		"empty token": {"token": {clerkToken}, "csrf": {""}},
	} {
		c := noFollow(t)
		res, err := c.PostForm(srv.URL+"/signin", form)
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode, name)
		assert.Contains(t, string(b), "has expired or was not sent from this site", name)
		for _, ck := range res.Cookies() {
			assert.NotEqual(t, "ledger_session", ck.Name, "no session for a forged sign-in (%s)", name)
		}
	}
	// A token from one browser's form does not work in another browser.
	a, b := noFollow(t), noFollow(t)
	res, err := a.Get(srv.URL + "/signin")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(string(body))
	require.NotNil(t, m)
	_, _ = b.Get(srv.URL + "/signin")
	res, err = b.PostForm(srv.URL+"/signin", url.Values{"token": {clerkToken}, "csrf": {m[1]}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
}

// Issue #18: page sessions never expired on the server. They now end 1 hour after the last request
// and 12 hours after sign-in, on the server's clock (injected here).
func TestSessionsExpireOnTheServer(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	srv := newServerWith(t, func(c *web.Config) { c.Now = clock })

	signedIn := func(c *http.Client) bool {
		status, body := get(t, c, srv.URL+gnn+"/record")
		require.Equal(t, http.StatusOK, status)
		return strings.Contains(body, "Signed in as")
	}
	signIn := func() *http.Client {
		jar, err := cookiejar.New(nil)
		require.NoError(t, err)
		c := &http.Client{Jar: jar}
		res, err := postSignIn(t, c, srv.URL, url.Values{"token": {clerkToken}})
		require.NoError(t, err)
		res.Body.Close()
		require.True(t, signedIn(c))
		return c
	}

	t.Run("idle for an hour", func(t *testing.T) {
		c := signIn()
		advance(59 * time.Minute)
		assert.True(t, signedIn(c), "59 minutes idle")
		advance(59 * time.Minute)
		assert.True(t, signedIn(c), "each request restarts the idle hour")
		advance(time.Hour)
		assert.False(t, signedIn(c), "an hour idle ends the session")
		advance(time.Minute)
		assert.False(t, signedIn(c), "and it stays ended")
	})
	t.Run("twelve hours after sign-in", func(t *testing.T) {
		c := signIn()
		for range 14 {
			advance(50 * time.Minute)
			require.True(t, signedIn(c))
		}
		advance(50 * time.Minute) // 12 h 30 min after sign-in, 50 minutes idle
		assert.False(t, signedIn(c), "the absolute limit holds however active the session is")
	})
	t.Run("limits are configurable", func(t *testing.T) {
		short := newServerWith(t, func(c *web.Config) {
			c.Now = clock
			c.SessionIdle = 5 * time.Minute
			c.SessionMaxAge = 20 * time.Minute
		})
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := postSignIn(t, c, short.URL, url.Values{"token": {clerkToken}})
		require.NoError(t, err)
		res.Body.Close()
		in := func() bool {
			_, body := get(t, c, short.URL+gnn+"/record")
			return strings.Contains(body, "Signed in as")
		}
		require.True(t, in())
		advance(4 * time.Minute)
		assert.True(t, in())
		advance(6 * time.Minute)
		assert.False(t, in())
	})
}

// Issue #18: review packs could keep both cores busy; the pages' downloads go through the API's
// pack renderer, so they are cached and limited per caller like GET .../review-pack.
func TestPackDownloadsAreCachedAndLimited(t *testing.T) {
	srv := newServerWith(t, func(c *web.Config) {
		packs := api.NewPacks(reviewpack.Source{Events: c.Store, Models: c.Models, Log: c.Log}, nil, api.NewLimiter(api.Limits{PacksPerMinute: 1}))
		c.Packs = func(r *http.Request, opts reviewpack.Options, format string) ([]byte, error) {
			return packs.Render(r.Context(), api.Caller(r, tokens.Principal{}), opts, format)
		}
	})
	fetch := func(path string) (*http.Response, []byte) {
		res, err := srv.Client().Get(srv.URL + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, b
	}
	first, md := fetch(gnn + "/pack.md?as_of=2016-06-30")
	require.Equal(t, http.StatusOK, first.StatusCode)
	for range 3 {
		again, b := fetch(gnn + "/pack.md?as_of=2016-06-30")
		require.Equal(t, http.StatusOK, again.StatusCode, "a repeat comes from the cache")
		assert.Equal(t, md, b)
	}
	over, body := fetch(gnn + "/pack.json?as_of=2016-06-30")
	assert.Equal(t, http.StatusTooManyRequests, over.StatusCode)
	secs, err := strconv.Atoi(over.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, secs, 1)
	assert.Contains(t, string(body), "Too many requests")
	assert.Equal(t, "nosniff", over.Header.Get("X-Content-Type-Options"))
}

// A clerk's entries through the pages count against the same write limit as the API's POSTs.
func TestClerkEntriesAreLimited(t *testing.T) {
	lim := api.NewLimiter(api.Limits{WritesPerSecond: 0.001, WriteBurst: 1})
	srv := newServerWith(t, func(c *web.Config) {
		c.AllowWrite = func(_ *http.Request, token string) error { return lim.AllowWrite("token " + token) }
	})
	c, csrf := clerkAtRecordForm(t, srv)
	form := func(amount string) url.Values { return savingsForm(csrf, amount) }
	res, err := c.PostForm(srv.URL+gnn+"/record", form("12345"))
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(b), "Recorded")
	res, err = c.PostForm(srv.URL+gnn+"/record", form("54321"))
	require.NoError(t, err)
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.NotEmpty(t, res.Header.Get("Retry-After"))
	assert.Contains(t, string(b), "Nothing was changed")
	_, page := get(t, c, srv.URL+gnn)
	assert.Contains(t, page, "12,345", "the first entry is on the page")
	assert.NotContains(t, page, "54,321", "the refused entry was not recorded")
}

// The sign-in page says what is true of a session: the token stays on the server, and the session
// ends after the server's lifetimes (a clerk tester read "the token stays in this browser until you
// sign out", which was true of neither).
func TestSignInPageSaysHowLongASessionLasts(t *testing.T) {
	srv := newServerWith(t, func(c *web.Config) { c.SessionMaxAge, c.SessionIdle = 8*time.Hour, 30*time.Minute })
	_, body := get(t, srv.Client(), srv.URL+"/signin")
	assert.Contains(t, body, "The token is kept on the server, not in this browser")
	assert.Contains(t, body, "for at most 8 hours, and 30 minutes without using the pages signs you out")
	assert.NotContains(t, body, "stays in this browser until you sign out")

	srv = newServer(t)
	_, body = get(t, srv.Client(), srv.URL+"/signin")
	assert.Contains(t, body, "for at most 12 hours, and 1 hour without using the pages signs you out")
}
