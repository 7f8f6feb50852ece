package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api/web"
)

// postWith posts form to u through c with extra request headers, and returns the status, whether a
// session cookie was set, and the body.
func postWith(t *testing.T, c *http.Client, u string, form url.Values, headers map[string]string) (int, bool, string) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	session := false
	for _, ck := range res.Cookies() {
		session = session || (ck.Name == "ledger_session" && ck.MaxAge >= 0 && ck.Value != "")
	}
	return res.StatusCode, session, string(b)
}

// signinFormToken loads /signin in c (setting its nonce cookie) and returns the form's csrf field.
func signinFormToken(t testing.TB, c *http.Client, base string) string {
	t.Helper()
	res, err := c.Get(base + "/signin")
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(string(b))
	require.NotNil(t, m, "the sign-in form carries a CSRF token")
	return m[1]
}

// Issue #18 (tester): the sign-in CSRF check was a plain double submit, so anyone who could plant a
// cookie could sign a victim in with a made-up pair:
// curl -b 'ledger_signin=aaaa' -H 'Origin: https://evil.example' --data-urlencode token=… --data-urlencode csrf=aaaa /signin
// answered 303 with a session. The field must now be an HMAC, under the server's secret, of the
// cookie's nonce, and a POST from another origin is refused whatever it carries.
func TestSignInRefusesAForgedCSRFPair(t *testing.T) {
	srv := newServer(t)
	for name, h := range map[string]map[string]string{
		"from evil.example": {"Cookie": "ledger_signin=aaaa", "Origin": "https://evil.example"},
		"no origin":         {"Cookie": "ledger_signin=aaaa"},
		"a dated nonce":     {"Cookie": "ledger_signin=1700000000.aaaa"},
	} {
		status, session, body := postWith(t, noFollow(t), srv.URL+"/signin",
			url.Values{"token": {clerkToken}, "csrf": {strings.TrimPrefix(h["Cookie"], "ledger_signin=")}}, h)
		assert.Equal(t, http.StatusForbidden, status, name)
		assert.False(t, session, "no session for a forged pair (%s)", name)
		assert.Contains(t, body, "was not sent from this site", name)
	}
	// The server's own pair, taken by an attacker and planted in a victim's browser, is refused when
	// the post comes from another site.
	c := noFollow(t)
	tok := signinFormToken(t, c, srv.URL)
	form := url.Values{"token": {clerkToken}, "csrf": {tok}}
	for name, h := range map[string]map[string]string{
		"Origin of another site":     {"Origin": "https://evil.example"},
		"Origin null":                {"Origin": "null"},
		"Sec-Fetch-Site: cross-site": {"Sec-Fetch-Site": "cross-site"},
		"Sec-Fetch-Site: same-site":  {"Sec-Fetch-Site": "same-site"},
		"Referer of another site":    {"Referer": "https://evil.example/page"},
		"Referer of another port":    {"Referer": strings.Replace(srv.URL, "127.0.0.1:", "127.0.0.1:1", 1) + "/signin"},
	} {
		status, session, _ := postWith(t, c, srv.URL+"/signin", form, h)
		assert.Equal(t, http.StatusForbidden, status, name)
		assert.False(t, session, name)
	}
	for name, h := range map[string]map[string]string{
		"same Origin":                 {"Origin": srv.URL},
		"Sec-Fetch-Site: same-origin": {"Sec-Fetch-Site": "same-origin", "Origin": srv.URL},
		"same Referer":                {"Referer": srv.URL + "/signin"},
		"no browser headers":          {},
	} {
		c := noFollow(t)
		form := url.Values{"token": {clerkToken}, "csrf": {signinFormToken(t, c, srv.URL)}}
		status, session, body := postWith(t, c, srv.URL+"/signin", form, h)
		assert.Equal(t, http.StatusSeeOther, status, "%s: %s", name, body)
		assert.True(t, session, name)
	}
}

// A sign-in form is good for an hour on the server's clock, whatever the cookie's lifetime says.
func TestSignInFormsExpire(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := newServerWith(t, func(c *web.Config) { c.Now = clock })
	c := noFollow(t)
	tok := signinFormToken(t, c, srv.URL)
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	status, session, _ := postWith(t, c, srv.URL+"/signin", url.Values{"token": {clerkToken}, "csrf": {tok}}, nil)
	assert.Equal(t, http.StatusForbidden, status)
	assert.False(t, session)
	tok = signinFormToken(t, c, srv.URL)
	status, session, _ = postWith(t, c, srv.URL+"/signin", url.Values{"token": {clerkToken}, "csrf": {tok}}, nil)
	assert.Equal(t, http.StatusSeeOther, status, "a fresh form works")
	assert.True(t, session)
}

// The signed-in forms (recording, signing out) follow the same rule: the session's token and this
// origin, so a page of another site cannot submit them even with a leaked token.
func TestSignedInFormsRefuseOtherOrigins(t *testing.T) {
	srv := newServer(t)
	c, csrf := clerkAtRecordForm(t, srv)
	jar := c.Jar
	c = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, before := get(t, c, srv.URL+gnn)
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Referer": "https://evil.example/"},
	} {
		status, _, body := postWith(t, c, srv.URL+gnn+"/record", savingsForm(csrf, "4242"), h)
		assert.Equal(t, http.StatusForbidden, status, "%v", h)
		assert.Contains(t, body, "Form expired")
	}
	_, after := get(t, c, srv.URL+gnn)
	assert.Equal(t, before, after, "nothing was recorded")

	// A cross-site sign-out clears only the browser's cookie (a page may always do that); the
	// session on the server lives on, so putting the cookie back still signs in.
	u, _ := url.Parse(srv.URL)
	cookies := jar.Cookies(u)
	require.NotEmpty(t, cookies)
	status, _, _ := postWith(t, c, srv.URL+"/signout", url.Values{"csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"})
	assert.Equal(t, http.StatusSeeOther, status)
	fresh, err := cookiejar.New(nil)
	require.NoError(t, err)
	fresh.SetCookies(u, cookies)
	c = &http.Client{Jar: fresh, CheckRedirect: c.CheckRedirect}
	_, page := get(t, c, srv.URL+gnn+"/record")
	assert.Contains(t, page, "Signed in as", "the server-side session was not ended from another site")

	status, _, body := postWith(t, c, srv.URL+gnn+"/record", savingsForm(csrf, "4242"), map[string]string{"Origin": srv.URL})
	assert.Equal(t, http.StatusSeeOther, status, body)
	_, recorded := get(t, c, srv.URL+gnn)
	assert.NotEqual(t, after, recorded, "the same form from this origin records")
}
