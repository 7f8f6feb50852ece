package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Conditional requests (RFC 9110 §13). A partnership's event stream has a strong ETag, its last
// revision in quotes ("31", revisionETag): GET /v1/partnerships/{id}/events answers with it, POST
// answers with the new event's, and POST takes it back in If-Match. Every other GET answers with an
// ETag of its body's bytes (bodyOf), for If-None-Match only.

// revisionETag is the strong entity-tag of a partnership's stream at revision rev: `"31"`.
func revisionETag(rev uint64) string { return `"` + strconv.FormatUint(rev, 10) + `"` }

// entityTag is one entity-tag of a conditional header (RFC 9110 §8.8.3): entity-tag = [ "W/" ]
// opaque-tag, opaque-tag = DQUOTE *etagc DQUOTE.
type entityTag struct {
	weak   bool
	opaque string // with its quotes: `"31"`
}

// conditionList is a parsed If-Match or If-None-Match: "*" (any) or a list of entity-tags.
type conditionList struct {
	any  bool
	tags []entityTag
}

// maxEchoed is how much of a value a problem quotes back (echoed).
const maxEchoed = 80

// parseConditionList reads every field line of the conditional header name (RFC 9110 §13.1.1:
// If-Match = "*" / #entity-tag; lines combine as one list, empty list elements are ignored, §5.6.1).
// ok is false when the header is absent. A value that is neither "*" alone nor a list of entity-tags
// is 400 naming the header: an unquoted revision (12), a tag missing its closing quote, "*" in a
// list, a lower-case w/.
func parseConditionList(r *http.Request, name string) (c conditionList, ok bool, err error) {
	values := r.Header.Values(name)
	if len(values) == 0 {
		return conditionList{}, false, nil
	}
	raw := strings.Join(values, ", ")
	bad := func(why string) error {
		return badHeader(name, `%s must be "*" or a list of entity-tags in quotes, such as "12" (the ETag of GET /v1/partnerships/{id}/events); %s: got %s`, name, why, echoed(raw))
	}
	s := raw
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			break
		}
		switch {
		case s[0] == '*':
			c.any, s = true, s[1:]
		default:
			var t entityTag
			if strings.HasPrefix(s, "W/") {
				t.weak, s = true, s[2:]
			}
			if s == "" || s[0] != '"' {
				return conditionList{}, true, bad("an entity-tag must be in double quotes")
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return conditionList{}, true, bad("an entity-tag has no closing quote")
			}
			t.opaque, s = s[:end+2], s[end+2:]
			for i := 1; i < len(t.opaque)-1; i++ {
				if b := t.opaque[i]; b < 0x21 || b == 0x7f { // etagc = %x21 / %x23-7E / obs-text
					return conditionList{}, true, bad("an entity-tag holds a space or control character")
				}
			}
			c.tags = append(c.tags, t)
		}
		if rest := strings.TrimLeft(s, " \t"); rest != "" && rest[0] != ',' {
			return conditionList{}, true, bad("entity-tags must be separated by commas")
		}
	}
	if c.any && len(c.tags) > 0 || !c.any && len(c.tags) == 0 {
		return conditionList{}, true, bad(`"*" stands alone, and a list needs at least one entity-tag`)
	}
	return c, true, nil
}

// strongMatch is If-Match's evaluation (RFC 9110 §13.1.1) against a resource whose current strong
// ETag is etag (exists false: the resource has no current representation): "*" matches any current
// representation; otherwise a listed tag matches only by strong comparison (§8.8.3.2), so a weak
// tag never matches.
func (c conditionList) strongMatch(etag string, exists bool) bool {
	if !exists {
		return false
	}
	if c.any {
		return true
	}
	for _, t := range c.tags {
		if !t.weak && t.opaque == etag {
			return true
		}
	}
	return false
}

// weakMatch is If-None-Match's evaluation (RFC 9110 §13.1.2): "*" or any listed tag whose opaque-tag
// equals etag's, weak or not.
func (c conditionList) weakMatch(etag string) bool {
	if c.any {
		return true
	}
	for _, t := range c.tags {
		if t.opaque == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// lastRevision is the revision of a stream's last event; exists is false when nothing is recorded in
// it.
func (s *server) lastRevision(ctx context.Context, stream string) (rev uint64, exists bool, err error) {
	for e, err := range s.Store.ReadStream(ctx, stream, eventstore.Start, eventstore.Backward, 1) {
		if err != nil {
			return 0, false, err
		}
		return e.Revision, true, nil
	}
	return 0, false, nil
}

// recordConditions are a POST's conditional headers, parsed (parseRecordConditions): If-Match and
// If-None-Match, each with the header's text as sent (raw).
type recordConditions struct {
	ifMatch, ifNoneMatch       conditionList
	hasIfMatch, hasIfNoneMatch bool
	rawIfMatch, rawIfNoneMatch string
}

// parseRecordConditions reads If-Match and If-None-Match; a malformed one is 400 naming it.
func parseRecordConditions(r *http.Request) (c recordConditions, err error) {
	if c.ifMatch, c.hasIfMatch, err = parseConditionList(r, "If-Match"); err != nil {
		return c, err
	}
	if c.ifNoneMatch, c.hasIfNoneMatch, err = parseConditionList(r, "If-None-Match"); err != nil {
		return c, err
	}
	c.rawIfMatch = strings.Join(r.Header.Values("If-Match"), ", ")
	c.rawIfNoneMatch = strings.Join(r.Header.Values("If-None-Match"), ", ")
	return c, nil
}

// any reports whether a condition was sent.
func (c recordConditions) any() bool { return c.hasIfMatch || c.hasIfNoneMatch }

// expected evaluates the conditions against the stream's current revision in RFC 9110 §13.2.2's
// order, before the command is recorded: If-Match first (§13.1.1: true when "*" and something is
// recorded, or a listed strong tag is the current ETag), then If-None-Match (§13.1.2: false when "*"
// and something is recorded, or a listed tag, weak or not, is the current ETag). It returns the
// revision to record at (nil: any), which Record checks again under the partition's lock, so a
// write that lands in between fails the store's check (eventstore.ConflictError) and is answered 412
// like any other false condition (failure); failing names the header that answer names.
//
// A condition that is false is 412 at once (*preconditionFailed), unless replayable (the request
// has an Idempotency-Key): then the command is still handed to Record, expecting a revision the
// stream never reaches (noRevision), so that a retry whose first attempt was recorded is answered
// with that event (RFC 9110 §13.1.1 lets a server answer 2xx when the change asked for has already
// happened) and anything else fails the store's check and becomes the 412.
//
// If-None-Match: "*" on a partnership with nothing recorded cannot be held under the lock (Record
// takes a revision, not "no stream"): two such requests at once may both pass it, and the second is
// then decided against the first's event (the domain refuses a partnership formed twice, 422).
func (c recordConditions) expected(ctx context.Context, s *server, stream string, replayable bool) (want *uint64, failing string, err error) {
	cur, exists, err := s.lastRevision(ctx, stream)
	if err != nil {
		return nil, "", err
	}
	etag := revisionETag(cur)
	fail := func(header, raw string) (*uint64, string, error) {
		if replayable {
			n := noRevision
			return &n, header, nil
		}
		return nil, header, &preconditionFailed{header: header, sent: echoed(raw), current: cur, exists: exists}
	}
	if c.hasIfMatch && !c.ifMatch.strongMatch(etag, exists) {
		return fail("If-Match", c.rawIfMatch)
	}
	if c.hasIfNoneMatch && exists && c.ifNoneMatch.weakMatch(etag) {
		return fail("If-None-Match", c.rawIfNoneMatch)
	}
	failing = "If-Match"
	if !c.hasIfMatch {
		failing = "If-None-Match"
	}
	if !exists {
		return nil, failing, nil
	}
	return &cur, failing, nil
}

// failure turns the store's refusal of an expected revision into the 412 of the header failing
// names; other errors are returned as they are.
func (c recordConditions) failure(err error, failing string) error {
	var ce *eventstore.ConflictError
	if !errors.As(err, &ce) {
		return err
	}
	raw := c.rawIfMatch
	if failing == "If-None-Match" {
		raw = c.rawIfNoneMatch
	}
	return &preconditionFailed{header: failing, sent: echoed(raw), current: ce.Actual, exists: ce.ActualExists}
}

// noRevision is a revision no stream reaches: the expectation of an If-Match that matched nothing.
const noRevision = ^uint64(0)

// echoed is a value a client sent (a header, a query parameter's name) as a problem quotes it back:
// as sent when it is printable ASCII, else written as a quoted ASCII string with escapes; cut at
// maxEchoed bytes.
func echoed(raw string) string {
	cut := len(raw) > maxEchoed
	if cut {
		raw = raw[:maxEchoed]
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 0x20 || raw[i] > 0x7e {
			return strconv.QuoteToASCII(raw)
		}
	}
	if cut {
		return raw + "…"
	}
	return raw
}
