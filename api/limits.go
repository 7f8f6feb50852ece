package api

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/tokens"
)

// Limits bound what one caller can make the server do. A caller is a token (by its id), or, for a
// request without one, the client's IP address as the server sees it (behind a proxy, the proxy's).
// Over a limit the answer is 429 Too Many Requests with Retry-After (seconds) and a problem+json
// body. A zero field takes its default; a negative one turns that limit off.
type Limits struct {
	// WritesPerSecond is the sustained rate of POST .../events per caller (default 20), with bursts of
	// up to WriteBurst requests (default 40).
	WritesPerSecond float64
	WriteBurst      int
	// PackRenders is how many review packs one caller may have rendering at once (default 2), and
	// PacksPerMinute how many it may start per minute (default 20). An answer from the pack cache is
	// neither counted nor limited.
	PackRenders    int
	PacksPerMinute int
	// ServerPackRenders is how many review packs the whole server may have rendering at once, whoever
	// asks (default DefaultServerPackRenders: half the usable cores, at least 1). An uncached PDF of a
	// long partnership takes seconds of one core, so without this cap many callers within their own
	// limits could keep every core busy. A render over it is refused at once (429 with Retry-After),
	// never queued.
	ServerPackRenders int
	// Verifications is how many full verifications (GET /v1/audit/verify) one caller may run at once
	// (default 1).
	Verifications int
}

// DefaultServerPackRenders is the default Limits.ServerPackRenders: max(1, GOMAXPROCS/2), so review
// packs can use at most half the cores the Go runtime may use and the rest stay free for everything
// else the server answers.
func DefaultServerPackRenders() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// Default limits (see Limits).
const (
	DefaultWritesPerSecond = 20
	DefaultWriteBurst      = 40
	DefaultPackRenders     = 2
	DefaultPacksPerMinute  = 20
	DefaultVerifications   = 1
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if l.WritesPerSecond == 0 {
		l.WritesPerSecond = DefaultWritesPerSecond
	}
	def(&l.WriteBurst, DefaultWriteBurst)
	def(&l.PackRenders, DefaultPackRenders)
	def(&l.PacksPerMinute, DefaultPacksPerMinute)
	def(&l.Verifications, DefaultVerifications)
	def(&l.ServerPackRenders, DefaultServerPackRenders())
	return l
}

// tooManyRequests is a request over one of the caller's limits; it is answered 429 with Retry-After.
type tooManyRequests struct {
	what       string
	server     bool // a server-wide limit, not the caller's own
	retryAfter time.Duration
}

func (e *tooManyRequests) Error() string {
	who := "from you"
	if e.server {
		who = "already"
	}
	return fmt.Sprintf("too many %s %s; try again in %d s", e.what, who, retryAfterSeconds(e.retryAfter))
}

// Fault describes the refusal for people (fault.TooManyRequests).
func (e *tooManyRequests) Fault() *fault.Error {
	return &fault.Error{Kind: fault.TooManyRequests, Message: e.Error()}
}

// serverPackRetry is the Retry-After of a pack refused by the server-wide cap: about the time an
// uncached PDF of a long partnership takes (docs/benchmarks.md).
const serverPackRetry = 5 * time.Second

// retryAfterSeconds rounds d up to whole seconds, at least 1 (RFC 9110 §10.2.3).
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// maxCallers bounds the callers whose limiter state is kept; past it, idle callers are forgotten.
const maxCallers = 10000

// Limiter keeps each caller's rate limiters and in-flight counts under one set of Limits. Share one
// between the API (Config.Limiter), its Packs and the pages, so a caller has one budget whichever way
// it asks. Safe for concurrent use.
type Limiter struct {
	limits Limits
	mu     sync.Mutex
	m      map[string]*caller
	packs  int // review packs rendering now, server-wide
}

type caller struct {
	writes, packs      *rate.Limiter // nil when that limit is off
	packsBusy, verBusy int
}

// NewLimiter returns a Limiter enforcing l (zero fields: the defaults).
func NewLimiter(l Limits) *Limiter {
	return &Limiter{limits: l.withDefaults(), m: map[string]*caller{}}
}

// get returns the state of caller key. Call with mu held.
func (l *Limiter) get(key string) *caller {
	c := l.m[key]
	if c != nil {
		return c
	}
	if len(l.m) >= maxCallers {
		for k, c := range l.m {
			if c.packsBusy == 0 && c.verBusy == 0 {
				delete(l.m, k)
			}
		}
	}
	c = &caller{}
	if l.limits.WritesPerSecond > 0 {
		c.writes = rate.NewLimiter(rate.Limit(l.limits.WritesPerSecond), max(1, l.limits.WriteBurst))
	}
	if l.limits.PacksPerMinute > 0 {
		c.packs = rate.NewLimiter(rate.Limit(float64(l.limits.PacksPerMinute)/60), l.limits.PacksPerMinute)
	}
	l.m[key] = c
	return c
}

// take takes one token from lim or says how long until one is free.
func take(lim *rate.Limiter, what string) error {
	if lim == nil {
		return nil
	}
	now := time.Now()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &tooManyRequests{what: what, retryAfter: d}
	}
	return nil
}

// AllowWrite admits one recording request of caller key (see Caller), or returns an error with a
// RetryAfter() method saying when the caller may try again.
func (l *Limiter) AllowWrite(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return take(l.get(key).writes, "writes")
}

// pack admits one review-pack render of caller key; release must be called when it ends.
func (l *Limiter) pack(key string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.get(key)
	if n := l.limits.PackRenders; n > 0 && c.packsBusy >= n {
		return nil, &tooManyRequests{what: "review packs rendering at once", retryAfter: time.Second}
	}
	if n := l.limits.ServerPackRenders; n > 0 && l.packs >= n {
		return nil, &tooManyRequests{what: "review packs rendering on this server", server: true, retryAfter: serverPackRetry}
	}
	if err := take(c.packs, "review packs this minute"); err != nil {
		return nil, err
	}
	c.packsBusy++
	l.packs++
	return func() { l.mu.Lock(); c.packsBusy--; l.packs--; l.mu.Unlock() }, nil
}

// verify admits one full verification of caller key; release must be called when it ends.
func (l *Limiter) verify(key string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.get(key)
	if n := l.limits.Verifications; n > 0 && c.verBusy >= n {
		return nil, &tooManyRequests{what: "verifications at once", retryAfter: 5 * time.Second}
	}
	c.verBusy++
	return func() { l.mu.Lock(); c.verBusy--; l.mu.Unlock() }, nil
}

// Caller names whom a request is counted against: the principal's token, else (for the zero
// tokens.Principal, no token) the client's IP address; an IPv6 client by its /64 network, which one
// machine commonly holds whole.
func Caller(r *http.Request, p tokens.Principal) string {
	if p.TokenID != [16]byte{} {
		return "token " + p.TokenID.String()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil && a.Is6() && !a.Is4In6() {
		if pfx, err := a.Prefix(64); err == nil {
			return "addr " + pfx.String()
		}
	}
	return "addr " + host
}

// isTooMany reports whether err is a limit refusal, and its Retry-After.
func isTooMany(err error) (time.Duration, bool) {
	var tm *tooManyRequests
	if errors.As(err, &tm) {
		return tm.retryAfter, true
	}
	return 0, false
}
