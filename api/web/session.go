package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	cookieName = "ledger_session"
	// signinCookie carries the sign-in form's nonce ("<unix seconds>.<random hex>"); the form's csrf
	// field must be signinToken of it, an HMAC under this server's secret, so a sign-in is accepted
	// only from a form this server gave the same browser within signinMaxAge. A cookie and field an
	// attacker makes up (or plants) do not match, so another site cannot sign a victim in with the
	// attacker's token.
	signinCookie = "ledger_signin"
	// signinMaxAge is how long a sign-in form stays good.
	signinMaxAge = time.Hour
)

// Default session lifetimes (Config.SessionMaxAge, Config.SessionIdle).
const (
	DefaultSessionMaxAge = 12 * time.Hour
	DefaultSessionIdle   = time.Hour
)

// maxSessions bounds the sessions kept in memory; past it, signing in first drops expired ones and
// then the oldest.
const maxSessions = 10000

// current returns the signed-in session and user, re-checking the token, or nil. A session past its
// absolute lifetime or idle for longer than the idle limit is ended here, on the server, whatever the
// browser's cookie says; otherwise its idle clock restarts.
func (s *server) current(r *http.Request) (*session, *user) {
	c, err := r.Cookie(cookieName)
	if err != nil || s.Authenticate == nil {
		return nil, nil
	}
	now := s.Now()
	s.mu.Lock()
	sess := s.sessions[c.Value]
	if sess != nil && s.expired(sess, now) {
		delete(s.sessions, c.Value)
		sess = nil
	}
	var token string
	if sess != nil {
		sess.lastSeen = now
		token = sess.token
	}
	s.mu.Unlock()
	if sess == nil {
		return nil, nil
	}
	actor, role, ok := s.Authenticate(r, token)
	if !ok {
		return nil, nil
	}
	return sess, &user{Actor: actor, Role: role}
}

// expired reports whether sess has outlived SessionMaxAge or been idle longer than SessionIdle.
func (s *server) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.created) >= s.SessionMaxAge || now.Sub(sess.lastSeen) >= s.SessionIdle
}

// checkForm reports whether a state-changing POST of the pages may go ahead: it comes from this
// origin (sameOrigin) and its csrf field is want, a token only this server can have made (a
// session's random token kept on the server, or signinToken). Every page form is checked here.
func checkForm(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return sameOrigin(r) && want != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// checkCSRF reports whether a signed-in session's POST passes checkForm with the session's token.
func checkCSRF(r *http.Request, sess *session) bool {
	return sess != nil && checkForm(r, sess.csrf)
}

// crossOrigin is net/http's CSRF check by Sec-Fetch-Site, else by Origin against Host.
var crossOrigin = http.NewCrossOriginProtection()

// sameOrigin reports whether r may be a form of this site: refused are a Sec-Fetch-Site other than
// same-origin or none (cross-site, and same-site: a sibling subdomain), an Origin whose host is not
// the request's Host, and, when a browser sent neither, a Referer from another host. A request
// with none of the three (not from a browser) passes; the form token still has to match.
func sameOrigin(r *http.Request) bool {
	if crossOrigin.Check(r) != nil {
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
		return true
	}
	ref := r.Header.Get("Referer")
	if ref == "" {
		return true
	}
	u, err := url.Parse(ref)
	return err == nil && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

// signinToken is the csrf field that goes with the sign-in cookie nonce: HMAC-SHA256 under the
// server's random secret (made at New, so a restart voids open forms), in hex.
func (s *server) signinToken(nonce string) string {
	m := hmac.New(sha256.New, s.secret[:])
	m.Write([]byte("signin\x00" + nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// signinNonce returns the sign-in cookie's nonce if it is one this server could have issued within
// signinMaxAge (the age is read from the nonce; the HMAC check in checkForm makes it unforgeable).
func (s *server) signinNonce(r *http.Request) string {
	c, err := r.Cookie(signinCookie)
	if err != nil {
		return ""
	}
	secs, _, ok := strings.Cut(c.Value, ".")
	t, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil {
		return ""
	}
	if age := s.Now().Sub(time.Unix(t, 0)); age < -time.Minute || age > signinMaxAge {
		return ""
	}
	return c.Value
}

type signinPage struct {
	Error        string
	Next         string
	CSRF         string
	MaxAge, Idle string // the session's lifetimes in words ("12 hours", "1 hour")
}

// lifetime writes a session lifetime for people: whole hours or minutes ("12 hours", "1 hour",
// "30 minutes"), else Go's duration text.
func lifetime(d time.Duration) string {
	unit, n := "hour", d/time.Hour
	if d%time.Hour != 0 {
		unit, n = "minute", d/time.Minute
		if d%time.Minute != 0 {
			return d.String()
		}
	}
	if n != 1 {
		unit += "s"
	}
	return strconv.FormatInt(int64(n), 10) + " " + unit
}

// signinForm renders the sign-in form with a fresh CSRF token, also set as a cookie only /signin
// receives.
func (s *server) signinForm(w http.ResponseWriter, r *http.Request, status int, errText, next string) {
	nonce := strconv.FormatInt(s.Now().Unix(), 10) + "." + randomToken()
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: nonce, Path: "/signin", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(signinMaxAge / time.Second)})
	s.render(w, status, "signin.html", s.page(r, "Sign in", signinPage{Error: errText, Next: next, CSRF: s.signinToken(nonce),
		MaxAge: lifetime(s.SessionMaxAge), Idle: lifetime(s.SessionIdle)}))
}

func (s *server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	s.signinForm(w, r, http.StatusOK, "", safeNext(r.URL.Query().Get("next")))
}

func (s *server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := safeNext(r.PostFormValue("next"))
	if s.Authenticate == nil {
		s.signinForm(w, r, http.StatusForbidden, "Signing in is not available on this server.", next)
		return
	}
	if nonce := s.signinNonce(r); nonce == "" || !checkForm(r, s.signinToken(nonce)) {
		s.signinForm(w, r, http.StatusForbidden, "This sign-in form has expired or was not sent from this site. Paste your token again.", next)
		return
	}
	if _, _, ok := s.Authenticate(r, token); token == "" || !ok {
		s.signinForm(w, r, http.StatusUnauthorized, "That token was not recognised. Paste the whole token you were given.", next)
		return
	}
	id := randomToken()
	now := s.Now()
	s.mu.Lock()
	s.sweep(now)
	s.sessions[id] = &session{token: token, csrf: randomToken(), created: now, lastSeen: now}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(s.SessionMaxAge / time.Second)})
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: "", Path: "/signin", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// sweep drops expired sessions and, if still at maxSessions, the one idle longest. Call with mu held.
func (s *server) sweep(now time.Time) {
	if len(s.sessions) < maxSessions {
		return
	}
	var oldest string
	for id, sess := range s.sessions {
		if s.expired(sess, now) {
			delete(s.sessions, id)
		} else if oldest == "" || sess.lastSeen.Before(s.sessions[oldest].lastSeen) {
			oldest = id
		}
	}
	if len(s.sessions) >= maxSessions {
		delete(s.sessions, oldest)
	}
}

func (s *server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	sess, _ := s.current(r)
	if sess != nil && checkCSRF(r, sess) {
		if c, err := r.Cookie(cookieName); err == nil {
			s.mu.Lock()
			delete(s.sessions, c.Value)
			s.mu.Unlock()
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext returns the path (and query) of a redirect target after sign-in if it stays on this
// origin, else "/". It takes the decoded form or query value and refuses anything a browser could
// read as another origin: schemes and hosts ("https://x", "//x", "/\x"), backslashes, whitespace
// and control characters anywhere (browsers drop tabs and newlines, so "/\t/x" becomes "//x"), the
// same after one more percent-decoding ("/%09/x", "/%2F/x"), and anything over 2,000 bytes. The
// answer is re-built from the parsed path and query, never copied.
func safeNext(next string) string {
	if len(next) > 2000 || !strings.HasPrefix(next, "/") || !plainTarget(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	p := u.EscapedPath()
	if dec, err := url.PathUnescape(p); err != nil || strings.HasPrefix(dec, "//") ||
		strings.ContainsFunc(dec, func(c rune) bool { return c == '\\' || isControl(c) }) {
		return "/"
	}
	if u.RawQuery != "" {
		if q, err := url.QueryUnescape(u.RawQuery); err != nil || strings.ContainsFunc(q, isControl) {
			return "/"
		}
		p += "?" + u.RawQuery
	}
	return p
}

// plainTarget reports whether s has no backslash, space, control character or "//" at its start.
func plainTarget(s string) bool {
	if strings.HasPrefix(s, "//") {
		return false
	}
	return !strings.ContainsFunc(s, func(c rune) bool { return c == ' ' || c == '\\' || isControl(c) })
}

// isControl reports C0 and C1 control characters, DEL and the Unicode line and paragraph separators.
func isControl(c rune) bool {
	return c < ' ' || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029
}
