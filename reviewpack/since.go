package reviewpack

import (
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// ParseSince reads the known-at of the last report (`ledger pack --since`, the API's since
// parameter) as projections.ParseKnownAt reads a known-at: a seq, an RFC 3339 time or a date (the
// end of that day in Europe/London). "" and "all" are refused: the last report knew less than
// everything. The error is a fault at the parameter "since".
func ParseSince(s string) (projections.KnownAt, error) {
	if s == "" || strings.TrimSpace(s) != s {
		return projections.KnownAt{}, fault.BadParam("since", "since %q: want the known-at of the last report, without spaces: a seq number (1234), an RFC 3339 timestamp or a date", s)
	}
	k, err := projections.ParseKnownAt(s)
	if err != nil {
		f := fault.Of(err)
		msg := err.Error()
		if f != nil && len(f.Fields) == 1 {
			msg = f.Fields[0].Message
		}
		return k, fault.BadParam("since", "since %s", msg)
	}
	if k.IsAll() {
		return k, fault.BadParam("since", "since %q: want the known-at of the last report: a seq number (1234), an RFC 3339 timestamp or a date", s)
	}
	return k, nil
}

// resolveSince returns the last seq the since point knew, refusing one that is not before the
// pack's known-at (sized to size): both times are compared as times, the default known-at as now,
// otherwise the seqs they resolve to.
func resolveSince(m *projections.Models, since, known projections.KnownAt, size uint64, now func() time.Time) (uint64, error) {
	seq := m.ResolveKnownAt(since)
	st, sinceIsTime := since.Time()
	kt, knownIsTime := known.Time()
	before := seq < size
	switch {
	case sinceIsTime && knownIsTime:
		before = st.Before(kt)
	case sinceIsTime && known.IsAll():
		if now == nil {
			now = time.Now
		}
		before = st.Before(now())
	}
	if !before {
		return 0, fault.BadParam("since", "since %s is not before the pack's known-at (%s, up to ledger event %d): the changes since the last report are those recorded after it and by the known-at",
			since, known, size)
	}
	return min(seq, size), nil
}
