package domain_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

// TestPenceString: the one money formatter. Whole pounds print without pence; any pence print as two
// digits; a negative amount has its minus before the pound sign; every int64 prints exactly.
func TestPenceString(t *testing.T) {
	tests := []struct {
		name   string
		in     domain.Pence
		want   string
		signed string
	}{
		{"zero", 0, "£0", "£0"},
		{"one penny", 1, "£0.01", "+£0.01"},
		{"pence only", 5, "£0.05", "+£0.05"},
		{"ten pence", 10, "£0.10", "+£0.10"},
		{"one pound", 100, "£1", "+£1"},
		{"pound and a half", 150, "£1.50", "+£1.50"},
		{"hundreds", 99999, "£999.99", "+£999.99"},
		{"thousand", 100000, "£1,000", "+£1,000"},
		{"demo saving", 4_000_000, "£40,000", "+£40,000"},
		{"with pence", 123456, "£1,234.56", "+£1,234.56"},
		{"million", 100_000_000, "£1,000,000", "+£1,000,000"},
		{"a float would round this", 123_456_789, "£1,234,567.89", "+£1,234,567.89"},
		{"largest amount", domain.MaxAmountPence, "£100,000,000,000", "+£100,000,000,000"},
		{"just under the largest", domain.MaxAmountPence - 1, "£99,999,999,999.99", "+£99,999,999,999.99"},
		{"minus a penny", -1, "-£0.01", "-£0.01"},
		{"minus fifty", -5000, "-£50", "-£50"},
		{"minus with pence", -150, "-£1.50", "-£1.50"},
		{"most negative amount", -domain.MaxAmountPence, "-£100,000,000,000", "-£100,000,000,000"},
		{"max int64", math.MaxInt64, "£92,233,720,368,547,758.07", "+£92,233,720,368,547,758.07"},
		{"min int64", math.MinInt64, "-£92,233,720,368,547,758.08", "-£92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.String())
			assert.Equal(t, tt.signed, tt.in.SignedString())
		})
	}
}

// TestBasisPointsString: the one percentage formatter: at most two decimal places, no trailing zeros.
func TestBasisPointsString(t *testing.T) {
	tests := []struct {
		in   domain.BasisPoints
		want string
	}{
		{0, "0%"}, {1, "0.01%"}, {5, "0.05%"}, {10, "0.1%"}, {50, "0.5%"}, {99, "0.99%"}, {100, "1%"},
		{1250, "12.5%"}, {3330, "33.3%"}, {3333, "33.33%"}, {3334, "33.34%"}, {5000, "50%"}, {6667, "66.67%"},
		{9999, "99.99%"}, {10000, "100%"},
		{-50, "-0.5%"}, {-3333, "-33.33%"}, {20001, "200.01%"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.String())
		})
	}
}

// TestDateFormats: String is YYYY-MM-DD for tables, JSON and input; Long is the date in words.
func TestDateFormats(t *testing.T) {
	tests := []struct {
		in, long string
	}{
		{"2015-11-07", "7 November 2015"},
		{"2016-01-31", "31 January 2016"},
		{"2016-02-29", "29 February 2016"},
		{"2016-09-01", "1 September 2016"},
		{"0001-01-01", "1 January 1"},
		{"9999-12-31", "31 December 9999"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d := domain.MustDate(tt.in)
			assert.Equal(t, tt.in, d.String())
			assert.Equal(t, tt.long, d.Long())
		})
	}
	assert.Empty(t, domain.Date{}.Long(), "the zero Date is not a date")
	assert.Empty(t, domain.Date{}.String())
}

// TestLondonDate: a moment becomes a civil date in Europe/London, with summer time.
func TestLondonDate(t *testing.T) {
	assert.Equal(t, "Europe/London", domain.London().String())
	for in, want := range map[string]string{
		"2016-06-30T23:30:00Z":      "2016-07-01", // BST: 00:30 on 1 July
		"2016-06-30T22:59:59Z":      "2016-06-30",
		"2016-01-31T23:30:00Z":      "2016-01-31", // GMT
		"2016-01-31T23:30:00-05:00": "2016-02-01",
	} {
		at, err := time.Parse(time.RFC3339, in)
		require.NoError(t, err)
		assert.Equal(t, want, domain.LondonDate(at).String(), in)
	}
}

// FuzzPenceRoundTrip: the money formatter and ParsePounds agree: every amount within ±MaxAmountPence,
// written by String with its pound sign and commas taken out, parses back to itself; and every
// amount ParsePounds accepts prints as that amount.
func FuzzPenceRoundTrip(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 5, 99, 100, 150, 4_000_000, 123_456_789, int64(domain.MaxAmountPence), -int64(domain.MaxAmountPence), math.MaxInt64, math.MinInt64} {
		f.Add(n, "")
	}
	for _, s := range []string{"0.29", "1234567.89", "40000", "-0.01", "007.10", "100000000000"} {
		f.Add(int64(0), s)
	}
	f.Fuzz(func(t *testing.T, n int64, s string) {
		p := domain.Pence(n)
		text := p.String()
		require.True(t, strings.HasPrefix(text, "£") || strings.HasPrefix(text, "-£"), "%d → %q", n, text)
		if p >= -domain.MaxAmountPence && p <= domain.MaxAmountPence {
			plain := strings.NewReplacer("£", "", ",", "").Replace(text)
			back, err := domain.ParsePounds(plain)
			require.NoError(t, err, "%d → %q", n, text)
			require.Equal(t, p, back, "%d → %q", n, text)
		}
		if q, err := domain.ParsePounds(s); err == nil {
			back, err := domain.ParsePounds(strings.NewReplacer("£", "", ",", "").Replace(q.String()))
			require.NoError(t, err, "%q → %q", s, q.String())
			require.Equal(t, q, back, "%q → %q", s, q.String())
		}
	})
}

// TestTimeText: a recorded moment for people is its UTC date and time to the minute.
func TestTimeText(t *testing.T) {
	for in, want := range map[string]string{
		"2016-06-01T09:00:59Z":      "2016-06-01 09:00",
		"2016-06-01T10:30:00+01:00": "2016-06-01 09:30",
		"2015-12-31T23:59:00-05:00": "2016-01-01 04:59",
	} {
		at, err := time.Parse(time.RFC3339, in)
		require.NoError(t, err)
		assert.Equal(t, want, domain.TimeText(at), in)
	}
}
