package projections_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

func TestParseKnownAt(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // String() of the result
		all     bool
		wantErr string
	}{
		{name: "empty means all", in: "", want: "all", all: true},
		{name: "all", in: "all", want: "all", all: true},
		{name: "seq", in: "1234", want: "1234"},
		{name: "seq zero", in: "0", want: "0"},
		{name: "spaces trimmed", in: " 42 ", want: "42"},
		{name: "rfc3339", in: "2016-06-01T12:00:00Z", want: "2016-06-01T12:00:00Z"},
		{name: "rfc3339 offset", in: "2016-06-01T12:00:00+01:00", want: "2016-06-01T12:00:00+01:00"},
		{name: "civil date", in: "2016-06-01", want: "2016-06-01"},
		{name: "impossible date", in: "2015-02-30", wantErr: `known_at "2015-02-30": not a valid date (YYYY-MM-DD): day out of range`},
		{name: "word", in: "yesterday", wantErr: `known_at "yesterday": want a seq number`},
		{name: "negative", in: "-5", wantErr: `known_at "-5"`},
		{name: "seq overflow", in: "99999999999999999999999", wantErr: `seq number out of range`},
		{name: "half a timestamp", in: "2016-06-01T12", wantErr: `known_at "2016-06-01T12"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := projections.ParseKnownAt(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, projections.ErrBadKnownAt)
				assert.Contains(t, fault.Message(err), tt.wantErr, "the message for people")
				assert.Equal(t, "known_at", fault.Of(err).Fields[0].Parameter)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, k.String())
			assert.Equal(t, tt.all, k.IsAll())
		})
	}
}

func FuzzParseKnownAt(f *testing.F) {
	for _, s := range []string{"", "all", "17", "2016-06-01", "2016-06-01T12:00:00Z", "2015-02-30", "x", "9999-12-31", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := projections.ParseKnownAt(s)
		if err != nil {
			assert.ErrorIs(t, err, projections.ErrBadKnownAt)
			assert.Contains(t, err.Error(), "known_at")
			return
		}
		// A parsed value re-parses to the same meaning.
		again, err := projections.ParseKnownAt(k.String())
		require.NoError(t, err, "re-parse %q", k.String())
		assert.Equal(t, k.String(), again.String())
	})
}

func TestKnownAtDateEndsTheLondonDay(t *testing.T) {
	// The clocks went forward on 27 March 2016: the London day is then 23 hours long, and in summer
	// the day ends at 23:00 UTC.
	tests := []struct {
		name string
		date string
		last time.Time // the last instant included
	}{
		{"winter", "2016-01-15", time.Date(2016, 1, 15, 23, 59, 59, 999999999, time.UTC)},
		{"summer", "2016-06-01", time.Date(2016, 6, 1, 22, 59, 59, 999999999, time.UTC)},
		{"clocks go forward", "2016-03-27", time.Date(2016, 3, 27, 22, 59, 59, 999999999, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := projections.ParseKnownAt(tt.date)
			require.NoError(t, err)
			assert.True(t, projections.KnownAtLimit(k).Equal(tt.last), "got %s", projections.KnownAtLimit(k))
		})
	}
}
