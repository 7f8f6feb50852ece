package projections

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/domain"
)

// ErrBadKnownAt is matched (errors.Is) by every error ParseKnownAt returns.
var ErrBadKnownAt = errors.New("projections: bad known_at")

// KnownAt is a point on the recording axis: what the ledger had recorded by then. The zero value means
// everything recorded so far. Build one with ParseKnownAt, KnownAtSeq or KnownAtTime.
type KnownAt struct {
	kind  knownKind
	seq   uint64
	t     time.Time // inclusive upper bound on recorded_at
	input string    // as given, for messages and for echoing back
}

type knownKind uint8

const (
	knownAll knownKind = iota
	knownSeq
	knownTime
)

// KnownAtSeq is the prefix of the log up to and including seq (0: nothing recorded).
func KnownAtSeq(seq uint64) KnownAt {
	return KnownAt{kind: knownSeq, seq: seq, input: strconv.FormatUint(seq, 10)}
}

// KnownAtTime is everything whose recorded_at, read as a running maximum along seq, is not after t.
func KnownAtTime(t time.Time) KnownAt {
	return KnownAt{kind: knownTime, t: t, input: t.Format(time.RFC3339Nano)}
}

// ParseKnownAt reads a known_at value: "" or "all" (everything), a seq number ("1234"), an RFC 3339
// timestamp ("2016-06-01T12:00:00Z") or a civil date ("2016-06-01", meaning the end of that day in
// Europe/London). Surrounding space is ignored.
//
// The error matches ErrBadKnownAt and names the value and the forms accepted.
func ParseKnownAt(s string) (KnownAt, error) {
	in := strings.TrimSpace(s)
	switch {
	case in == "":
		return KnownAt{}, nil
	case strings.EqualFold(in, "all"):
		return KnownAt{input: "all"}, nil // everything, asked for (Given)
	case allDigits(in):
		n, err := strconv.ParseUint(in, 10, 64)
		if err != nil {
			return KnownAt{}, badKnownAt("%q: seq number out of range", s)
		}
		return KnownAt{kind: knownSeq, seq: n, input: in}, nil
	case len(in) == len(time.DateOnly) && !strings.ContainsAny(in, "Tt"):
		d, err := time.ParseInLocation(time.DateOnly, in, domain.London())
		if err != nil {
			return KnownAt{}, badKnownAt("%q: not a valid date (YYYY-MM-DD): %s", s, dateProblem(err))
		}
		return KnownAt{kind: knownTime, t: endOfDay(d.Year(), d.Month(), d.Day()), input: in}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, in)
	if err != nil {
		return KnownAt{}, badKnownAt("%q: want a seq number (1234), an RFC 3339 timestamp (2016-06-01T12:00:00Z) or a date (2016-06-01)", s)
	}
	return KnownAt{kind: knownTime, t: t, input: in}, nil
}

// IsSeq reports whether the known_at was given as an event number ("1234"), so that it can be
// written as one ("event [1234]"); false for everything, a date and a time.
func (k KnownAt) IsSeq() bool { return k.kind == knownSeq }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dateProblem turns time's parse error into its last, readable part ("day out of range").
func dateProblem(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return "want YYYY-MM-DD"
}

// Time returns the inclusive upper bound on recorded_at of a known_at given as a time or a date (the
// end of that day in Europe/London), and false for a seq or everything recorded.
func (k KnownAt) Time() (time.Time, bool) { return k.t, k.kind == knownTime }

// IsAll reports whether k means everything recorded (the default).
func (k KnownAt) IsAll() bool { return k.kind == knownAll }

// Given reports whether k was given: false only for the zero value, so that a default can stand in
// for it ("all" asked for explicitly is given).
func (k KnownAt) Given() bool { return k != KnownAt{} }

// KnownAtEndOf is everything recorded by the end of day d in Europe/London (what the date "2016-06-15"
// means as a known_at): the default known_at of a review pack as of d.
func KnownAtEndOf(d domain.Date) KnownAt {
	return KnownAt{kind: knownTime, t: endOfDay(d.Year(), d.Month(), d.Day()), input: d.String()}
}

// endOfDay is the last instant of a civil day in London, before the next midnight there (which is 23
// or 25 hours away on the days the clocks change).
func endOfDay(y int, m time.Month, day int) time.Time {
	return time.Date(y, m, day+1, 0, 0, 0, 0, domain.London()).Add(-time.Nanosecond)
}

// String returns the value as it was given ("all" for the default).
func (k KnownAt) String() string {
	if k.kind == knownAll {
		return "all"
	}
	return k.input
}

// timeIndex maps the recording axis onto seq: maxRec[i] is the greatest recorded_at (Unix nanoseconds)
// among seqs 1..i+1, so it never decreases and a time resolves by binary search. It is appended to
// under the Models lock and read through snapshots (a slice header), which stay valid because
// elements are never rewritten.
type timeIndex struct {
	maxRec []int64
}

func (x *timeIndex) add(recordedAt time.Time) {
	t := recordedAt.UnixNano()
	if n := len(x.maxRec); n > 0 && x.maxRec[n-1] > t {
		t = x.maxRec[n-1]
	}
	x.maxRec = append(x.maxRec, t)
}

// resolveKnownAt returns the last seq included by k, given the running maxima for seqs 1..len(maxRec).
// A seq beyond the end means everything so far.
func resolveKnownAt(k KnownAt, maxRec []int64) uint64 {
	head := uint64(len(maxRec))
	switch k.kind {
	case knownSeq:
		return min(k.seq, head)
	case knownTime:
		switch {
		case k.t.Year() >= 2262: // beyond int64 nanoseconds: after everything
			return head
		case k.t.Year() <= 1677:
			return 0
		}
		limit := k.t.UnixNano()
		// The first seq recorded after the limit; everything before it is known.
		i, _ := slices.BinarySearchFunc(maxRec, limit, func(v, lim int64) int {
			if v <= lim {
				return -1
			}
			return 1
		})
		return uint64(i)
	}
	return head
}

// recordedAtOf returns the running-maximum recorded_at of seq (zero time for seq 0).
func recordedAtOf(seq uint64, maxRec []int64) time.Time {
	if seq == 0 || seq > uint64(len(maxRec)) {
		return time.Time{}
	}
	return time.Unix(0, maxRec[seq-1]).UTC()
}
