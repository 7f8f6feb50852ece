package api

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// Packs renders review packs for the API and the pages. A pack is a pure function of the partnership,
// as_of, the known prefix of the log (known_at as asked and resolved to a seq, whose signed tree head
// the pack embeds), the cover options and the format, so each rendering is cached under exactly those
// and a repeat costs nothing; a rendering that is not cached counts against the caller's pack limits
// (Limits.PackRenders, Limits.PacksPerMinute). Safe for concurrent use.
type Packs struct {
	src    reviewpack.Source
	now    func() time.Time
	limits *Limiter
	cache  packCache
}

// NewPacks returns the pack renderer over src, counting renderings against lim's pack limits (nil:
// a Limiter with the default Limits). now gives "today" for a pack without as_of (default time.Now).
func NewPacks(src reviewpack.Source, now func() time.Time, lim *Limiter) *Packs {
	if lim == nil {
		lim = NewLimiter(Limits{})
	}
	return &Packs{src: src, now: now, limits: lim}
}

// Render returns the pack of opts in format ("html", "pdf", "md" or "json"). caller names whom a
// rendering is counted against (see Caller). Errors: those of
// reviewpack.Build and Render, and, over the caller's limits, an error with a RetryAfter() method
// (answered 429 with Retry-After).
func (p *Packs) Render(ctx context.Context, caller string, opts reviewpack.Options, format string) ([]byte, error) {
	opts.Now = p.now
	if !opts.AsOf.IsZero() {
		opts.KnownAt = opts.KnownAtFor(opts.AsOf) // the default, the end of the as-of day, keys the cache as given
	}
	key := func(seq uint64) string {
		return strings.Join([]string{opts.Partnership, opts.AsOf.String(), opts.KnownAt.String(), strconv.FormatUint(seq, 10), format,
			opts.Cover.Committee, strings.Join(opts.Cover.Meetings, "\x01"), opts.Cover.Author, sinceKey(opts.Since)}, "\x00")
	}
	if !opts.AsOf.IsZero() {
		if axes, err := p.src.Models.Axes(opts.Partnership, projections.Query{AsOf: opts.AsOf, KnownAt: opts.KnownAt}); err == nil {
			if b, ok := p.cache.get(key(axes.KnownAt.Seq)); ok {
				return b, nil
			}
		}
	}
	release, err := p.limits.pack(caller)
	if err != nil {
		return nil, err
	}
	defer release()
	pack, err := reviewpack.Build(ctx, p.src, opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pack.Render(format, &buf); err != nil {
		return nil, err
	}
	// A pack for "today" changes at midnight, and one whose checkpoint awaits the witnesses' quorum
	// embeds a witnessed one once it is reached: neither is cached.
	awaiting := p.src.Witnessed != nil && pack.Evidence.Checkpoint != nil && !pack.Evidence.Checkpoint.Witnessed
	if !opts.AsOf.IsZero() && !awaiting {
		p.cache.put(key(pack.Evidence.TreeHead.Size), buf.Bytes())
	}
	return buf.Bytes(), nil
}

// RetryAfter is how long the caller should wait before asking again (the Retry-After of a 429).
func (e *tooManyRequests) RetryAfter() time.Duration { return e.retryAfter }

// packCache keeps rendered review packs by everything that shapes them (Packs.Render's key); a pack
// for a key never changes, so an entry is never stale. It holds at most packCacheBytes and is
// emptied when a new pack would pass that. Safe for concurrent use.
type packCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	bytes int
}

const packCacheBytes = 64 << 20

func (c *packCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *packCache) put(key string, b []byte) {
	if len(b) > packCacheBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+len(b) > packCacheBytes {
		c.m, c.bytes = map[string][]byte{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = b
		c.bytes += len(b)
	}
}

// sinceKey is the since of a pack for its cache key: "" for none, else the value as given (which
// resolves to the same seq for the same known prefix).
func sinceKey(k *projections.KnownAt) string {
	if k == nil {
		return ""
	}
	return "since=" + k.String()
}
