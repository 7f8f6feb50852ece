package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

const cookieName = "ledger_session"

// current returns the signed-in session and user, re-checking the token, or nil.
func (s *server) current(r *http.Request) (*session, *user) {
	c, err := r.Cookie(cookieName)
	if err != nil || s.Authenticate == nil {
		return nil, nil
	}
	s.mu.Lock()
	sess := s.sessions[c.Value]
	s.mu.Unlock()
	if sess == nil {
		return nil, nil
	}
	actor, role, ok := s.Authenticate(r, sess.token)
	if !ok {
		return nil, nil
	}
	return sess, &user{Actor: actor, Role: role}
}

// checkCSRF reports whether a POST carries the session's CSRF token.
func checkCSRF(r *http.Request, sess *session) bool {
	got := r.PostFormValue("csrf")
	return sess != nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}

type signinPage struct {
	Error string
	Next  string
}

func (s *server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "signin.html", s.page(r, "Sign in", signinPage{Next: safeNext(r.URL.Query().Get("next"))}))
}

func (s *server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	next := safeNext(r.PostFormValue("next"))
	if s.Authenticate == nil {
		s.render(w, http.StatusForbidden, "signin.html", s.page(r, "Sign in", signinPage{Error: "Signing in is not available on this server.", Next: next}))
		return
	}
	actor, role, ok := s.Authenticate(r, token)
	if token == "" || !ok {
		s.render(w, http.StatusUnauthorized, "signin.html", s.page(r, "Sign in", signinPage{Error: "That token was not recognised. Paste the whole token you were given.", Next: next}))
		return
	}
	_ = actor
	_ = role
	id := randomToken()
	s.mu.Lock()
	s.sessions[id] = &session{token: token, csrf: randomToken()}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 12 * 3600})
	http.Redirect(w, r, next, http.StatusSeeOther)
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

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}
