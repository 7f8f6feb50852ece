package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	cookieName = "ledger_session"
	// signinCookie carries the sign-in form's CSRF token (double submit): a sign-in is accepted only
	// from a form this server gave the same browser, so another site cannot sign a victim in with
	// the attacker's token.
	signinCookie = "ledger_signin"
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

// checkCSRF reports whether a POST carries the session's CSRF token.
func checkCSRF(r *http.Request, sess *session) bool {
	got := r.PostFormValue("csrf")
	return sess != nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

type signinPage struct {
	Error string
	Next  string
	CSRF  string
}

// signinForm renders the sign-in form with a fresh CSRF token, also set as a cookie only /signin
// receives.
func (s *server) signinForm(w http.ResponseWriter, r *http.Request, status int, errText, next string) {
	csrf := randomToken()
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: csrf, Path: "/signin", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 3600})
	s.render(w, status, "signin.html", s.page(r, "Sign in", signinPage{Error: errText, Next: next, CSRF: csrf}))
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
	c, err := r.Cookie(signinCookie)
	got := r.PostFormValue("csrf")
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
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
