package domain_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"2015-11-07", "2015-11-07", ""},
		{"2016-02-29", "2016-02-29", ""},
		{"2015-02-30", "", "2015-02-30 is not a valid date"},
		{"2015-02-29", "", "2015-02-29 is not a valid date"},
		{"2015-13-01", "", "2015-13-01 is not a valid date"},
		{"15-11-07", "", "is not a date in the form YYYY-MM-DD"},
		{"2015-11-7", "", "is not a date in the form YYYY-MM-DD"},
		{"2015-+1-07", "", "is not a date in the form YYYY-MM-DD"},
		{"0999-01-01", "0999-01-01", ""}, // a real date; new commands refuse it by the date limit
		{"0001-01-01", "0001-01-01", ""},
		{"9999-12-31", "9999-12-31", ""},
		{"0000-01-01", "", "0000-01-01 is not a valid date"},
		{"", "", "is not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := domain.ParseDate(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.String())
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	d := domain.MustDate("2016-02-28")
	assert.Equal(t, "2016-03-01", d.AddDays(2).String())
	assert.True(t, d.Before(d.AddDays(1)))
	assert.Equal(t, 0, d.Compare(domain.MustDate("2016-02-28")))
	assert.True(t, domain.Date{}.IsZero())
	_, err := json.Marshal(domain.Date{})
	assert.Error(t, err)
}

func TestFinancialYear(t *testing.T) {
	fy := domain.FinancialYear(2015)
	assert.Equal(t, "2015/16", fy.String())
	assert.Equal(t, "2015-04-01", fy.Start().String())
	assert.Equal(t, "2016-03-31", fy.End().String())
	tests := []struct {
		date string
		in   bool
	}{
		{"2015-03-31", false}, {"2015-04-01", true}, {"2016-03-31", true}, {"2016-04-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			assert.Equal(t, tt.in, fy.Contains(domain.MustDate(tt.date)))
		})
	}
	assert.Equal(t, fy, domain.FinancialYearOf(domain.MustDate("2016-01-01")))

	parse := []struct {
		in   string
		want domain.FinancialYear
		err  bool
	}{
		{"2015", 2015, false}, {"2015/16", 2015, false}, {"2015-16", 2015, false}, {"2099/00", 2099, false},
		{"2015/17", 0, true}, {"15/16", 0, true}, {"1800", 0, true}, {"x", 0, true},
	}
	for _, tt := range parse {
		t.Run("parse "+tt.in, func(t *testing.T) {
			got, err := domain.ParseFinancialYear(tt.in)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMoneyAndShares(t *testing.T) {
	_, err := domain.ParsePence("40000.50")
	assert.ErrorContains(t, err, "not a whole number of pence")
	_, err = domain.ParseBasisPoints("-1")
	assert.ErrorContains(t, err, "out of range")

	var p domain.Pence
	assert.Error(t, json.Unmarshal([]byte(`"4000000"`), &p))
	require.NoError(t, json.Unmarshal([]byte(`4000000`), &p))
	assert.Equal(t, domain.Pence(4000000), p)
}

func TestSlugsAndEnums(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"council ok", func() error { _, err := domain.ParseCouncilRef("kings-lynn-west-norfolk"); return err }()},
		{"partnership ok", func() error { _, err := domain.ParsePartnershipSlug("great-yarmouth-north-norfolk"); return err }()},
		{"certainty ok", func() error { _, err := domain.ParseCertainty("reported"); return err }()},
		{"kind ok", func() error { _, err := domain.ParseCouncilKind("district"); return err }()},
		{"s151 ok", func() error { _, err := domain.ParseStatutoryRole("s151"); return err }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.NoError(t, tt.err) })
	}
	bad := []struct {
		name, want string
		err        error
	}{
		{"council uppercase", "is not a council slug", func() error { _, err := domain.ParseCouncilRef("North-Norfolk"); return err }()},
		{"council double hyphen", "is not a council slug", func() error { _, err := domain.ParseCouncilRef("north--norfolk"); return err }()},
		{"partnership short", "is not a partnership slug", func() error { _, err := domain.ParsePartnershipSlug("ab"); return err }()},
		{"partnership stream", "not a partnership stream", func() error { _, err := domain.PartnershipFromStream("ledger-tokens"); return err }()},
		{"certainty", "is not a certainty", func() error { _, err := domain.ParseCertainty("sure"); return err }()},
		{"kind", "is not a council kind", func() error { _, err := domain.ParseCouncilKind("parish"); return err }()},
		{"role", "is not a statutory role", func() error { _, err := domain.ParseStatutoryRole("mayor"); return err }()},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) { assert.ErrorContains(t, tt.err, tt.want) })
	}
	p := domain.MustPartnership("great-yarmouth-north-norfolk")
	assert.Equal(t, "partnership-great-yarmouth-north-norfolk", p.Stream())
	back, err := domain.PartnershipFromStream(p.Stream())
	require.NoError(t, err)
	assert.Equal(t, p, back)
}

func TestParseSources(t *testing.T) {
	got, err := domain.ParseSources([]byte(`[{"kind":"press","title":"EDP","publisher":"Eastern Daily Press","published":"2015-12-18","assumed":["publisher","published"]}]`))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"publisher", "published"}, got[0].AssumedDetails())
	assert.False(t, got[0].AllAssumed(), "the title was read, not assumed")

	_, err = domain.ParseSources([]byte(`[{"kind":"press","title":"","sha256":"xyz","url":"ftp://x"}]`))
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Len(t, ve.Problems, 3)

	_, err = domain.ParseSources([]byte(`[{"kind":"rumour","title":"x"}]`))
	assert.ErrorContains(t, err, `"rumour" is not a source kind`)
}

func TestCouncilSlugs(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"north-norfolk", true}, {"ab", true}, {"a1-b2-c3", true},
		{"-ab", false}, {"ab-", false}, {"a--b", false}, {"a", false}, {"Ab", false}, {"a_b", false}, {"a b", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := domain.ParseCouncilRef(tt.in)
			assert.Equal(t, tt.ok, err == nil, "%v", err)
		})
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		name, in string
		want     domain.SourceRef
		err      string
	}{
		{"shorthand", "press:EDP, December 2015", domain.SourceRef{Kind: domain.SourcePress, Title: "EDP, December 2015"}, ""},
		{"shorthand with url", "minutes:Full Council|https://example.org/m.pdf",
			domain.SourceRef{Kind: domain.SourceMinutes, Title: "Full Council", URL: "https://example.org/m.pdf"}, ""},
		{"json", `{"kind":"report","title":"Business case","published":"2016-02-01","assumed":["published"]}`,
			domain.SourceRef{Kind: domain.SourceReport, Title: "Business case", Published: domain.MustDate("2016-02-01"), Assumed: []string{"published"}}, ""},
		{"the old illustrative flag is refused in a new source", `{"kind":"report","title":"Business case","illustrative":true}`,
			domain.SourceRef{}, `/sources/0/illustrative: is the form of events recorded before per-detail marks`},
		{"an unknown detail", `{"kind":"report","title":"x","assumed":["title","colour"]}`, domain.SourceRef{},
			`/sources/0/assumed/1: "colour" is not a detail of a source that can be assumed (kind, title, publisher, published, locator, url)`},
		{"a detail twice", `{"kind":"report","title":"x","assumed":["title","title"]}`, domain.SourceRef{}, `/sources/0/assumed/1: "title" is listed twice`},
		{"a detail the source does not give", `{"kind":"report","title":"x","assumed":["locator"]}`, domain.SourceRef{},
			`/sources/0/assumed/0: "locator" is not given in this source, so it cannot be marked assumed`},
		{"the hash is never assumed", `{"kind":"report","title":"x","sha256":"` + strings.Repeat("ab", 32) + `","assumed":["sha256"]}`, domain.SourceRef{},
			`/sources/0/assumed/0: "sha256" is not a detail of a source that can be assumed`},
		{"assumed is a list of names", `{"kind":"report","title":"x","assumed":"title"}`, domain.SourceRef{}, `/sources/0/assumed`},
		{"unknown kind", "rumour:x", domain.SourceRef{}, "is not a source kind"},
		{"no title", "press:", domain.SourceRef{}, "/sources/0/title: is required"},
		{"no kind", "just a title", domain.SourceRef{}, "want kind:title"},
		{"unknown json field", `{"kind":"press","title":"x","page":3}`, domain.SourceRef{}, `unknown field "page"`},
		{"spaces around the parts are a convenience", " minutes: Full Council\t| https://example.org/m.pdf \n",
			domain.SourceRef{Kind: domain.SourceMinutes, Title: "Full Council", URL: "https://example.org/m.pdf"}, ""},
		{"a no-break space is kept", "press:EDP\u00a0", domain.SourceRef{Kind: domain.SourcePress, Title: "EDP\u00a0"}, ""},
		{"a C1 control is refused, not trimmed", "press:EDP\u0085", domain.SourceRef{}, "U+0085"},
		{"a C1 control before JSON", "\u0085{\"kind\":\"press\",\"title\":\"EDP\"}", domain.SourceRef{}, "U+0085"},
		{"a bidi control", "press:\u202eEDP", domain.SourceRef{}, "U+202E"},
		{"invalid UTF-8", "press:EDP\xff", domain.SourceRef{}, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParseSource(tt.in)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestParsePounds: pounds are read from decimal text exactly, never through a float; anything but
// digits with at most two decimal places and an optional leading minus is refused.
func TestParsePounds(t *testing.T) {
	for in, want := range map[string]domain.Pence{
		"0": 0, "40000": 4_000_000, "40000.5": 4_000_050, "40000.50": 4_000_050, "-1.25": -125, "0.01": 1,
		"007": 700, "100000000000": domain.MaxAmountPence, "-100000000000.00": -domain.MaxAmountPence,
		"1234567.89": 123_456_789,
	} {
		got, err := domain.ParsePounds(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "-", "1e3", "1E3", "1,000", "£5", "5£", " 5", "5 ", "+5", "5.", ".5", "5.001", "0x10",
		"Inf", "NaN", "--5", "5-", "1_000", "١٢", "100000000000.01", "-100000000000.01", "9999999999999999999999"} {
		_, err := domain.ParsePounds(in)
		assert.Error(t, err, "%q", in)
	}
}

// TestDatesAgreeWithPackageTime holds NewDate's calendar (no time.Date since decoding stored events
// became allocation-free) to package time's for every year, month and day around the valid ones, and
// Date.UnmarshalText to ParseDate.
func TestDatesAgreeWithPackageTime(t *testing.T) {
	for y := 0; y <= 10000; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				tm := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
				real := y >= 1 && y <= 9999 && tm.Year() == y && int(tm.Month()) == m && tm.Day() == d
				got, err := domain.NewDate(y, time.Month(m), d)
				if real != (err == nil) {
					t.Fatalf("NewDate(%d, %d, %d): error %v, but package time says real=%v", y, m, d, err, real)
				}
				if real && (got.Year() != y || int(got.Month()) != m || got.Day() != d) {
					t.Fatalf("NewDate(%d, %d, %d) = %s", y, m, d, got)
				}
			}
		}
	}
	for _, s := range []string{"2015-11-07", "2016-02-29", "2015-02-29", "2015-13-01", "0000-01-01", "9999-12-31",
		"2015-1-07", "2015-+1-07", "20a5-11-07", "2015/11/07", "", "２015-11-07", "2015-11-07 "} {
		want, wantErr := domain.ParseDate(s)
		var got domain.Date
		err := got.UnmarshalText([]byte(s))
		assert.Equal(t, want, got, s)
		if wantErr == nil {
			assert.NoError(t, err, s)
		} else {
			assert.EqualError(t, err, wantErr.Error(), s)
		}
	}
}

// TestStoredValuesDecodeWithoutAllocating: dates, amounts, years and council slugs are decoded for
// every stored event of a rebuild, so their decoding must not allocate (a slug seen before is shared).
func TestStoredValuesDecodeWithoutAllocating(t *testing.T) {
	var (
		d  domain.Date
		p  domain.Pence
		fy domain.FinancialYear
		c  domain.CouncilRef
	)
	date, amount, year, slug := []byte("2016-02-29"), []byte("4000000"), []byte("2015"), []byte("great-yarmouth")
	require.NoError(t, c.UnmarshalText(slug))
	allocs := testing.AllocsPerRun(100, func() {
		require.NoError(t, d.UnmarshalText(date))
		require.NoError(t, p.UnmarshalJSON(amount))
		require.NoError(t, fy.UnmarshalJSON(year))
		require.NoError(t, c.UnmarshalText(slug))
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "2016-02-29 4000000 2015/16 great-yarmouth", d.String()+" "+strconv.FormatInt(int64(p), 10)+" "+fy.String()+" "+c.String())
	require.Error(t, c.UnmarshalText([]byte("Great-Yarmouth")))
	assert.Equal(t, "great-yarmouth", c.String(), "a refused slug leaves the value as it was")
}

func TestParsePercent(t *testing.T) {
	for s, want := range map[string]domain.BasisPoints{"50": 5000, "33.33": 3333, "33.3": 3330, "12.5%": 1250,
		"100": 10000, "100%": 10000, "0": 0, "0.05": 5, "007": 700} {
		got, err := domain.ParsePercent(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "%", "-5", "50.001", "1,5", " 50", "50 ", "5e1", "101", "100.01", "50.", ".5", "1000", "50%%", "£50", "٥٠"} {
		_, err := domain.ParsePercent(s)
		assert.Error(t, err, "%q", s)
	}
	_, err := domain.ParsePercent("101")
	assert.EqualError(t, err, "must be at most 100 (a share of the whole)")
	for b := domain.BasisPoints(0); b <= 10000; b++ {
		got, err := domain.ParsePercent(b.String())
		require.NoError(t, err, b.String())
		require.Equal(t, b, got, "String then ParsePercent gives the share back")
	}
}
