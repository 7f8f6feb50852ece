package domain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Date is a civil date (no time of day, no zone), written YYYY-MM-DD. The zero Date means "not set";
// every non-zero Date is a real calendar date. Dates compare with ==, <, > through Compare, Before
// and After, and can be map keys.
type Date struct {
	v int32 // y*10000 + m*100 + d; 0 for the zero Date
}

// ParseDate parses an ISO 8601 calendar date, YYYY-MM-DD, with a year from 0001 to 9999. The error
// names the problem, e.g. "2015-02-30 is not a valid date". New commands accept a narrower range
// (MinCommandDate to MaxCommandDate), checked by Decide.
func ParseDate(s string) (Date, error) {
	if d, ok := parseDate(s); ok {
		return d, nil
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[0:4]) || !digits(s[5:7]) || !digits(s[8:10]) {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{}, fmt.Errorf("%s is not a valid date", s)
}

// parseDate reads YYYY-MM-DD (ASCII digits) naming a real date with a year from 1 to 9999, without
// allocating: every stored event carries dates.
func parseDate[T string | []byte](s T) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s[0:4]) || !digits(s[5:7]) || !digits(s[8:10]) {
		return Date{}, false
	}
	num := func(t T) int {
		n := 0
		for i := 0; i < len(t); i++ {
			n = n*10 + int(t[i]-'0')
		}
		return n
	}
	d, err := NewDate(num(s[0:4]), time.Month(num(s[5:7])), num(s[8:10]))
	return d, err == nil
}

// digits reports whether s is one or more ASCII digits.
func digits[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// NewDate returns the date y-m-d. It returns an error when the date does not exist (2015-02-30) or
// the year is outside 1–9999.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if y < 1 || y > 9999 {
		return Date{}, fmt.Errorf("year %d is out of range (1–9999)", y)
	}
	if m < time.January || m > time.December || d < 1 || d > daysIn(y, m) {
		return Date{}, fmt.Errorf("%04d-%02d-%02d is not a valid date", y, int(m), d)
	}
	return Date{v: int32(y*10000 + int(m)*100 + d)}, nil
}

// daysIn returns the number of days in month m (1–12) of year y, in the proleptic Gregorian
// calendar (as package time counts them).
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// MustDate is ParseDate for constants in code and tests; it panics on an invalid date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// dateText holds "YYYY-MM-DD" for the dates of years dateTextFrom to dateTextTo-1, one year built on
// first use (31 slots a month; slots of days a month does not have stay empty and are never asked for).
const dateTextFrom, dateTextTo = 1900, 2200

var dateText [dateTextTo - dateTextFrom]atomic.Pointer[[12 * 31]string]

func dateTextOf(y, m, d int) string {
	year := dateText[y-dateTextFrom].Load()
	if year == nil {
		year = new([12 * 31]string)
		for t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); t.Year() == y; t = t.AddDate(0, 0, 1) {
			year[(int(t.Month())-1)*31+t.Day()-1] = t.Format(time.DateOnly)
		}
		dateText[y-dateTextFrom].Store(year) // a racing builder stores an equal table
	}
	return year[(m-1)*31+d-1]
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	d, _ := NewDate(t.Year(), t.Month(), t.Day())
	return d
}

// IsZero reports whether d is the zero Date (not set).
func (d Date) IsZero() bool { return d.v == 0 }

// Year, Month and Day return the parts of the date (0 for the zero Date).
func (d Date) Year() int { return int(d.v / 10000) }

// Month returns the month of the date.
func (d Date) Month() time.Month { return time.Month(d.v / 100 % 100) }

// Day returns the day of the month.
func (d Date) Day() int { return int(d.v % 100) }

// Time returns midnight UTC at the start of the date.
func (d Date) Time() time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// AddDays returns the date n days after d (before, when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e. The zero Date is before every date.
func (d Date) Compare(e Date) int {
	switch {
	case d.v < e.v:
		return -1
	case d.v > e.v:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.v < e.v }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.v > e.v }

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return DateText(d.Year(), int(d.Month()), d.Day())
}

// Long writes the date for people, as the review packs' prose does: day without a leading zero,
// the month's English name, the year. 2015-11-07 → "7 November 2015", 2016-01-31 → "31 January
// 2016". The zero Date gives "". String (YYYY-MM-DD) is the form for tables, JSON and input.
// Safe for concurrent use.
func (d Date) Long() string {
	if d.IsZero() {
		return ""
	}
	return strconv.Itoa(d.Day()) + " " + d.Month().String() + " " + strconv.Itoa(d.Year())
}

// DateText writes the date y-m-d as YYYY-MM-DD, as Date.String does. Read models print dates on every
// query, so for years 1900 to 2199 it answers one shared string per date.
func DateText(y, m, d int) string {
	if y >= dateTextFrom && y < dateTextTo && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
		if text := dateTextOf(y, m, d); text != "" {
			return text
		}
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// MarshalText returns YYYY-MM-DD. The zero Date is an error: optional dates are tagged omitzero.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return nil, fmt.Errorf("date is not set")
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses YYYY-MM-DD; see ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	if p, ok := parseDate(b); ok {
		*d = p
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Pence is an amount of money in whole pence. In JSON it is an integer; anything else (a fraction,
// a string) is refused.
type Pence int64

// ParsePence parses a whole number of pence ("4000000"). Pound notation is refused on purpose:
// amounts are always exact integers.
func ParsePence(s string) (Pence, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number of pence", s)
	}
	return Pence(n), nil
}

// ParsePounds parses an amount in pounds written as decimal text, exactly: an optional leading
// minus, one or more ASCII digits, and optionally a point followed by one or two digits ("40000",
// "40000.5", "-1.25"). It never goes through a float. Everything else is refused: "£5", "1,000",
// "1e3", " 5", "5.", ".5", "5.001". An amount beyond ±MaxAmountPence (±£100bn) is refused too, so
// the result always fits. Whether a negative amount is allowed is the field's rule, not this one's.
// The error says what is wrong without repeating s, to follow the name of the field it was read from
// ("amount must be …").
func ParsePounds(s string) (Pence, error) {
	bad := errors.New("must be pounds written as digits with at most two decimal places, e.g. 40000 or 40000.50, " +
		"with a leading minus for a negative amount (no £ sign, commas, spaces or exponent)")
	neg := strings.HasPrefix(s, "-")
	n, ok := hundredths(strings.TrimPrefix(s, "-"), 15)
	if !ok {
		return 0, bad
	}
	if n > int64(MaxAmountPence) {
		return 0, fmt.Errorf("must be within the largest amount the ledger accepts, ±%s", MaxAmountPence)
	}
	if neg {
		n = -n
	}
	return Pence(n), nil
}

// hundredths reads unsigned decimal text exactly, in hundredths: one to maxWhole ASCII digits,
// optionally a point and one or two digits ("40000.5" → 4000050). The one digit reader of ParsePounds
// and ParsePercent; maxWhole ≤ 15 keeps the result within int64.
func hundredths(s string, maxWhole int) (int64, bool) {
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxWhole || (dot && (len(frac) < 1 || len(frac) > 2)) {
		return 0, false
	}
	var n int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	for range 2 - len(frac) {
		n *= 10
	}
	return n, true
}

// String is the ledger's one way of writing money for people (the CLI, the pages and the review
// packs all call it): a pound sign, whole pounds grouped in threes with commas, and the pence after a
// point only when there are some. A negative amount starts with a minus before the pound sign.
//
//	Pence(4000000)  → "£40,000"           Pence(123456)  → "£1,234.56"
//	Pence(150)      → "£1.50"             Pence(5)       → "£0.05"
//	Pence(0)        → "£0"                Pence(-5000)   → "-£50"
//	MaxAmountPence  → "£100,000,000,000"  -Pence(1)      → "-£0.01"
//
// Every int64 is written exactly (math.MinInt64 too), and ParsePounds reads the text back without the
// pound sign and commas. Safe for concurrent use.
func (p Pence) String() string {
	var buf [32]byte
	return string(p.appendTo(buf[:0], false))
}

// SignedString writes the amount as String does, with a plus sign before a positive amount: a
// difference, such as a saving against its target. Pence(100000) → "+£1,000", Pence(-50000) →
// "-£500", Pence(0) → "£0".
func (p Pence) SignedString() string {
	var buf [32]byte
	return string(p.appendTo(buf[:0], true))
}

func (p Pence) appendTo(b []byte, plus bool) []byte {
	u := uint64(p)
	switch {
	case p < 0:
		b = append(b, '-')
		u = -u // two's complement: exact for math.MinInt64 too
	case p > 0 && plus:
		b = append(b, '+')
	}
	b = append(b, "£"...)
	var digits [20]byte
	ds := strconv.AppendUint(digits[:0], u/100, 10)
	for i, c := range ds {
		if i > 0 && (len(ds)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	if pence := u % 100; pence != 0 {
		b = append(b, '.', byte('0'+pence/10), byte('0'+pence%10))
	}
	return b
}

// UnmarshalJSON accepts only a JSON integer written as digits: a whole number written with an
// exponent or a decimal point (42e5, 4200000.0) is refused with a message saying how to write it, as
// the value is read from the bytes as sent (Decide) and the schema's description says.
func (p *Pence) UnmarshalJSON(b []byte) error {
	s := bytes.TrimSpace(b)
	n, err := strconv.ParseInt(string(s), 10, 64) // the conversion does not allocate: nothing keeps it
	if err != nil {
		if f, ferr := strconv.ParseFloat(string(s), 64); ferr == nil && f == math.Trunc(f) && bytes.ContainsAny(s, ".eE") {
			return fmt.Errorf("%s: write pence as digits, without an exponent or a decimal point (4200000, not 42e5 or 4200000.0)", s)
		}
		return fmt.Errorf("%s is not a whole number of pence", s)
	}
	*p = Pence(n)
	return nil
}

// BasisPoints is a share in hundredths of a percent: 10000 is 100%. Valid values are 0 to 10000.
type BasisPoints int

// ParseBasisPoints parses a whole number of basis points from 0 to 10000.
func ParseBasisPoints(s string) (BasisPoints, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number of basis points", s)
	}
	return NewBasisPoints(n)
}

// ParsePercent parses a share written in percent, exactly (never through a float): one to three ASCII
// digits, optionally a point and one or two decimal digits, optionally a final "%" ("50", "33.33",
// "12.5%", "100", "0.05"), from 0 to 100. It reads back everything BasisPoints.String writes for a
// valid share. Everything else is refused: "-5", "50.001", "1,5", " 50", "5e1", "101". The error says
// what is wrong without repeating s, to follow the name of the field it was read from.
func ParsePercent(s string) (BasisPoints, error) {
	bad := errors.New("must be a percentage written as digits with at most two decimal places, from 0 to 100, " +
		"e.g. 50 or 33.33 (no spaces, commas or minus sign)")
	n, ok := hundredths(strings.TrimSuffix(s, "%"), 3)
	if !ok {
		return 0, bad
	}
	if n > 10000 {
		return 0, errors.New("must be at most 100 (a share of the whole)")
	}
	return BasisPoints(n), nil
}

// NewBasisPoints returns n as BasisPoints, or an error when n is outside 0–10000.
func NewBasisPoints(n int) (BasisPoints, error) {
	if n < 0 || n > 10000 {
		return 0, fmt.Errorf("%d basis points is out of range (0 to 10000, where 10000 is 100%%)", n)
	}
	return BasisPoints(n), nil
}

// String is the ledger's one way of writing a share for people: a percentage with as many decimal
// places as it needs, at most two (a basis point is a hundredth of a percent), no trailing zeros.
//
//	BasisPoints(5000)  → "50%"      BasisPoints(3333) → "33.33%"   BasisPoints(3330) → "33.3%"
//	BasisPoints(10000) → "100%"     BasisPoints(5)    → "0.05%"    BasisPoints(0)    → "0%"
//
// A value outside 0–10000 (which NewBasisPoints refuses) is written the same way: -50 → "-0.5%".
// Safe for concurrent use.
func (b BasisPoints) String() string {
	n := int64(b)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	whole, frac := n/100, n%100
	switch {
	case frac == 0:
		return fmt.Sprintf("%s%d%%", sign, whole)
	case frac%10 == 0:
		return fmt.Sprintf("%s%d.%d%%", sign, whole, frac/10)
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, whole, frac)
}

// UnmarshalJSON accepts a JSON integer from 0 to 10000.
func (b *BasisPoints) UnmarshalJSON(data []byte) error {
	v, err := ParseBasisPoints(string(bytes.TrimSpace(data)))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// FinancialYear is an English local-government financial year, named by the year it starts:
// FY 2015 is 2015/16, 1 April 2015 to 31 March 2016. In JSON it is the start year as an integer.
type FinancialYear int

// ParseFinancialYear accepts "2015", "2015/16" or "2015-16" (the second year must follow the first),
// for years 1900–2999.
func ParseFinancialYear(s string) (FinancialYear, error) {
	start, rest, two := strings.Cut(s, "/")
	if !two {
		start, rest, two = strings.Cut(s, "-")
	}
	y, err := strconv.Atoi(start)
	if err != nil || len(start) != 4 {
		return 0, fmt.Errorf("%q is not a financial year (2015 or 2015/16)", s)
	}
	if two {
		next := fmt.Sprintf("%02d", (y+1)%100)
		if rest != next && rest != strconv.Itoa(y+1) {
			return 0, fmt.Errorf("%q is not a financial year: the year after %d is %s", s, y, next)
		}
	}
	return NewFinancialYear(y)
}

// NewFinancialYear returns the financial year starting in April of y (1900–2999).
func NewFinancialYear(y int) (FinancialYear, error) {
	if y < 1900 || y > 2999 {
		return 0, fmt.Errorf("financial year %d is out of range (1900–2999)", y)
	}
	return FinancialYear(y), nil
}

// FinancialYearOf returns the financial year containing d.
func FinancialYearOf(d Date) FinancialYear {
	if d.Month() < time.April {
		return FinancialYear(d.Year() - 1)
	}
	return FinancialYear(d.Year())
}

// Start returns 1 April of the start year.
func (fy FinancialYear) Start() Date { d, _ := NewDate(int(fy), time.April, 1); return d }

// End returns 31 March of the following year.
func (fy FinancialYear) End() Date { d, _ := NewDate(int(fy)+1, time.March, 31); return d }

// Contains reports whether d falls in the financial year.
func (fy FinancialYear) Contains(d Date) bool {
	return !d.Before(fy.Start()) && !d.After(fy.End())
}

// String returns the year as "2015/16".
func (fy FinancialYear) String() string {
	if fy < 0 {
		return fmt.Sprintf("%d/%02d", int(fy), (int(fy)+1)%100)
	}
	next := (int(fy) + 1) % 100
	return strconv.Itoa(int(fy)) + "/" + string([]byte{byte('0' + next/10), byte('0' + next%10)})
}

// UnmarshalJSON accepts the start year as a JSON integer.
func (fy *FinancialYear) UnmarshalJSON(b []byte) error {
	s := bytes.TrimSpace(b)
	y, err := strconv.Atoi(string(s)) // the conversion does not allocate: nothing keeps it
	if err != nil {
		return fmt.Errorf("%s is not a financial year (the start year as an integer, e.g. 2015)", s)
	}
	v, err := NewFinancialYear(y)
	if err != nil {
		return err
	}
	*fy = v
	return nil
}

// isSlug reports whether s is lowercase letters and digits in runs joined by single hyphens
// (^[a-z0-9]+(-[a-z0-9]+)*$), without a regexp: slugs are parsed for every stored event.
func isSlug[T string | []byte](s T) bool {
	prevHyphen := true // no leading hyphen
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevHyphen = false
		case c == '-' && !prevHyphen:
			prevHyphen = true
		default:
			return false
		}
	}
	return !prevHyphen
}

// councilSlugs holds the council slugs decoded lately: a ledger names few councils, each stored event
// names some, and decoding them shares one string per slug rather than allocating one a mention.
var councilSlugs internTable

// internTable is a fixed-size cache of strings by their bytes, safe for concurrent use. A slot keeps
// the last string put in it; a miss (a new string, or two strings sharing a slot) only allocates.
type internTable [256]atomic.Pointer[string]

// of returns string(b), shared with earlier calls for the same bytes when the table still holds it.
func (t *internTable) of(b []byte) string {
	h := uint32(2166136261) // FNV-1a
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &t[h%uint32(len(t))]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// CouncilRef is a council's stable slug, e.g. "great-yarmouth": lowercase letters, digits and single
// hyphens, 2 to 64 characters. The zero CouncilRef means "not set". In JSON it is the slug string.
type CouncilRef struct{ slug string }

// ParseCouncilRef validates a council slug.
func ParseCouncilRef(s string) (CouncilRef, error) {
	if len(s) < 2 || len(s) > 64 || !isSlug(s) {
		return CouncilRef{}, fmt.Errorf("%q is not a council slug (lowercase letters, digits and single hyphens, 2–64 characters, e.g. great-yarmouth)", s)
	}
	return CouncilRef{slug: s}, nil
}

// MustCouncil is ParseCouncilRef for constants; it panics on a bad slug.
func MustCouncil(s string) CouncilRef {
	c, err := ParseCouncilRef(s)
	if err != nil {
		panic(err)
	}
	return c
}

// IsZero reports whether the reference is not set.
func (c CouncilRef) IsZero() bool { return c.slug == "" }

// String returns the slug.
func (c CouncilRef) String() string { return c.slug }

// MarshalText returns the slug; the zero CouncilRef is an error.
func (c CouncilRef) MarshalText() ([]byte, error) {
	if c.IsZero() {
		return nil, fmt.Errorf("council is not set")
	}
	return []byte(c.slug), nil
}

// UnmarshalText validates the slug; see ParseCouncilRef.
func (c *CouncilRef) UnmarshalText(b []byte) error {
	if len(b) >= 2 && len(b) <= 64 && isSlug(b) {
		*c = CouncilRef{slug: councilSlugs.of(b)}
		return nil
	}
	v, err := ParseCouncilRef(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// CouncilKind is the kind of a principal council.
type CouncilKind string

// The kinds of council. In a district the monitoring officer may not be the head of paid service.
const (
	District CouncilKind = "district"
	Borough  CouncilKind = "borough"
	Unitary  CouncilKind = "unitary"
	County   CouncilKind = "county"
)

// ParseCouncilKind accepts district, borough, unitary or county.
func ParseCouncilKind(s string) (CouncilKind, error) {
	switch k := CouncilKind(s); k {
	case District, Borough, Unitary, County:
		return k, nil
	}
	return "", fmt.Errorf("%q is not a council kind (district, borough, unitary or county)", s)
}

// UnmarshalText validates the kind.
func (k *CouncilKind) UnmarshalText(b []byte) error {
	v, err := ParseCouncilKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Council names a council in full, as when it is first named in a partnership. ONSCode (e.g.
// E07000145) is optional.
type Council struct {
	Council CouncilRef  `json:"council"`                                                    // the council's slug
	Name    string      `json:"name" limit:"name"`                                          // the council's name in full
	Kind    CouncilKind `json:"kind"`                                                       // the kind of council
	ONSCode string      `json:"ons_code,omitempty" limit:"name" pattern:"^[EWSN][0-9]{8}$"` // the ONS code, a letter and 8 digits, when given
}

var onsRE = regexp.MustCompile(`^[EWSN][0-9]{8}$`)

func (c Council) check(p *problems, at string) {
	if c.Council.IsZero() {
		p.add(at+"/council", "is required (the council's slug, e.g. north-norfolk)")
	}
	if Blank(c.Name) {
		p.add(at+"/name", "is required (the council's name)")
	}
	if c.Kind == "" {
		p.add(at+"/kind", "is required (district, borough, unitary or county)")
	}
	if c.ONSCode != "" && !onsRE.MatchString(c.ONSCode) {
		p.add(at+"/ons_code", fmt.Sprintf("%q is not an ONS code (a letter and 8 digits, e.g. E07000145)", c.ONSCode))
	}
}

// PartnershipSlug names a partnership: 3 to 64 of [a-z0-9-]. Its stream is "partnership-<slug>".
type PartnershipSlug struct{ s string }

// StreamPrefix starts the stream name of every partnership.
const StreamPrefix = "partnership-"

var partnershipRE = regexp.MustCompile(`^[a-z0-9-]{3,64}$`)

// ParsePartnershipSlug validates a partnership slug.
func ParsePartnershipSlug(s string) (PartnershipSlug, error) {
	if !partnershipRE.MatchString(s) {
		return PartnershipSlug{}, fmt.Errorf("%q is not a partnership slug (3–64 lowercase letters, digits and hyphens)", s)
	}
	return PartnershipSlug{s: s}, nil
}

// MustPartnership is ParsePartnershipSlug for constants; it panics on a bad slug.
func MustPartnership(s string) PartnershipSlug {
	p, err := ParsePartnershipSlug(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PartnershipFromStream returns the slug of a partnership stream name, or an error when the name is
// not "partnership-<slug>".
func PartnershipFromStream(stream string) (PartnershipSlug, error) {
	s, ok := strings.CutPrefix(stream, StreamPrefix)
	if !ok {
		return PartnershipSlug{}, fmt.Errorf("stream %q is not a partnership stream (partnership-<slug>)", stream)
	}
	return ParsePartnershipSlug(s)
}

// IsZero reports whether the slug is not set.
func (p PartnershipSlug) IsZero() bool { return p.s == "" }

// String returns the slug.
func (p PartnershipSlug) String() string { return p.s }

// Stream returns the partnership's stream name, "partnership-<slug>".
func (p PartnershipSlug) Stream() string { return StreamPrefix + p.s }

// MarshalText returns the slug; the zero slug is an error.
func (p PartnershipSlug) MarshalText() ([]byte, error) {
	if p.IsZero() {
		return nil, fmt.Errorf("partnership is not set")
	}
	return []byte(p.s), nil
}

// UnmarshalText validates the slug.
func (p *PartnershipSlug) UnmarshalText(b []byte) error {
	v, err := ParsePartnershipSlug(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// BodyRef names a decision-making body of a council: "full council", "cabinet", a committee, or an
// officer acting under delegation.
type BodyRef struct {
	Council CouncilRef `json:"council"`           // the council the body belongs to
	Body    string     `json:"body" limit:"name"` // the body's name, e.g. "Cabinet" or "Joint Committee"
}

// MinuteRef points at a minuted decision: structured (council, body, meeting date, item) for
// matching, and the council's own text (Raw) kept as written, because formats differ by council.
type MinuteRef struct {
	Council CouncilRef `json:"council"`                     // the council whose body met
	Body    string     `json:"body" limit:"name"`           // the body that met, e.g. "Cabinet"
	Meeting Date       `json:"meeting"`                     // the date of the meeting
	Item    string     `json:"item,omitempty" limit:"name"` // the item number in the minutes, when given
	Raw     string     `json:"raw" limit:"name"`            // the minute reference as the council writes it
}

// Key returns the identity of the minute: council, body (case-insensitive), meeting and item.
func (m MinuteRef) Key() string {
	return m.Council.String() + "|" + strings.ToLower(strings.TrimSpace(m.Body)) + "|" + m.Meeting.String() + "|" +
		strings.ToLower(strings.TrimSpace(m.Item))
}

// String returns the raw text, or a rendering of the structured parts when Raw is empty.
func (m MinuteRef) String() string {
	if m.Raw != "" {
		return m.Raw
	}
	return fmt.Sprintf("%s %s %s item %s", m.Council, m.Body, m.Meeting, m.Item)
}

func (m MinuteRef) check(p *problems, at string) {
	if m.Council.IsZero() {
		p.add(at+"/council", "is required")
	}
	if Blank(m.Body) {
		p.add(at+"/body", "is required (e.g. full council, cabinet)")
	}
	if m.Meeting.IsZero() {
		p.add(at+"/meeting", "is required (the meeting date, YYYY-MM-DD)")
	}
	if Blank(m.Raw) {
		p.add(at+"/raw", "is required (the minute reference as the council writes it)")
	}
}

// SourceKind is the kind of document a fact comes from.
type SourceKind string

// The kinds of source.
const (
	SourceMinutes   SourceKind = "minutes"
	SourceReport    SourceKind = "report"
	SourceAgreement SourceKind = "agreement"
	SourceLetter    SourceKind = "letter"
	SourcePress     SourceKind = "press"
	SourceWeb       SourceKind = "web"
)

// UnmarshalText validates the kind.
func (k *SourceKind) UnmarshalText(b []byte) error {
	switch v := SourceKind(b); v {
	case SourceMinutes, SourceReport, SourceAgreement, SourceLetter, SourcePress, SourceWeb:
		*k = v
		return nil
	}
	return fmt.Errorf("%q is not a source kind (minutes, report, agreement, letter, press or web)", string(b))
}

// SourceRef is the evidence for a fact: a document, where in it, and (when held) its SHA-256.
//
// Assumed names the details of the reference that were assumed rather than read from the document
// ("publisher", "published", "locator", …), so that no view or pack passes them off as fact while the
// rest of the reference (the text held under SHA256, say) stands. Illustrative is the form events
// recorded before per-detail marks used: it reads as every detail assumed, and a new event may not use
// it (it is only in the schema of what was recorded).
type SourceRef struct {
	Kind         SourceKind `json:"kind"`                                                                                          // what kind of document it is
	Title        string     `json:"title" limit:"name"`                                                                            // the document's title
	Publisher    string     `json:"publisher,omitempty" limit:"name"`                                                              // who published it
	URL          string     `json:"url,omitempty" limit:"text" pattern:"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]"`                          // where it can be read: an http or https address
	Published    Date       `json:"published,omitzero"`                                                                            // the date it was published
	Locator      string     `json:"locator,omitempty" limit:"name"`                                                                // where in the document, e.g. "item 7" or "page 12"
	SHA256       string     `json:"sha256,omitempty" limit:"name" pattern:"^[0-9a-f]{64}$"`                                        // the SHA-256 of the document held, 64 lowercase hex digits
	Assumed      []string   `json:"assumed,omitempty" limit:"name" enum:"kind,title,publisher,published,locator,url" maxItems:"6"` // the details assumed rather than read from the document, each at most once and only one the reference gives
	Illustrative bool       `json:"illustrative,omitempty" stored:"only"`                                                          // every detail assumed (events recorded before assumed existed; refused on a new event)

	// The pattern, enum, maxItems and stored tags are read by api/openapigen: the request schema refuses
	// what rules refuses (api's TestSchemaRulesMatchDecide holds them to it).
}

// The details of a source reference that can be marked assumed, by their JSON names. A SHA-256 is
// never assumed: it is computed from a document the ledger's keepers hold.
const (
	DetailKind      = "kind"
	DetailTitle     = "title"
	DetailPublisher = "publisher"
	DetailPublished = "published"
	DetailLocator   = "locator"
	DetailURL       = "url"
)

// SourceDetails returns the names of the details a source reference can mark assumed, in the order
// AssumedDetails lists them.
func SourceDetails() []string {
	return []string{DetailKind, DetailTitle, DetailPublisher, DetailPublished, DetailLocator, DetailURL}
}

// gives reports whether the reference gives the named detail (kind and title always count).
func (s SourceRef) gives(detail string) bool {
	switch detail {
	case DetailKind, DetailTitle:
		return true
	case DetailPublisher:
		return s.Publisher != ""
	case DetailPublished:
		return !s.Published.IsZero()
	case DetailLocator:
		return s.Locator != ""
	case DetailURL:
		return s.URL != ""
	}
	return false
}

// GivenDetails returns the details the reference gives (kind and title always), in SourceDetails
// order: those it may mark assumed.
func (s SourceRef) GivenDetails() []string {
	var out []string
	for _, d := range SourceDetails() {
		if s.gives(d) {
			out = append(out, d)
		}
	}
	return out
}

// AssumedDetails returns the details of the reference that were assumed, in SourceDetails order:
// those named in Assumed, or, for a reference recorded with the old Illustrative flag, every detail
// it gives. nil when none is assumed.
func (s SourceRef) AssumedDetails() []string {
	var out []string
	for _, d := range SourceDetails() {
		if (s.Illustrative && s.gives(d)) || slices.Contains(s.Assumed, d) {
			out = append(out, d)
		}
	}
	return out
}

// AllAssumed reports whether every detail the reference gives was assumed (always so for the old
// Illustrative flag): nothing in it identifies a document anyone has read.
func (s SourceRef) AllAssumed() bool {
	if s.Illustrative {
		return true
	}
	for _, d := range SourceDetails() {
		if s.gives(d) && !slices.Contains(s.Assumed, d) {
			return false
		}
	}
	return true
}

// Confirms reports whether the reference can confirm a fact: a primary source (minutes, a report or
// an agreement) none of whose details is assumed. A confirmed fact needs one (docs/domain.md, rule 11).
func (s SourceRef) Confirms() bool {
	switch s.Kind {
	case SourceMinutes, SourceReport, SourceAgreement:
		return !s.Illustrative && len(s.Assumed) == 0
	}
	return false
}

// HasConfirmingSource reports whether any of the sources confirms a fact (SourceRef.Confirms).
func HasConfirmingSource(sources []SourceRef) bool {
	return slices.ContainsFunc(sources, SourceRef.Confirms)
}

// check adds the problems of a source reference standing on its own (an envelope's sources, a
// --source flag): its declared limits and its rules.
func (s SourceRef) check(p *problems, at string) {
	checkLimits(reflect.ValueOf(s), at, 0, p)
	s.rules(p, at)
}

// rules adds the problems of a source reference other than its limits, for a source inside a payload,
// whose limits the payload's own limit walk (checkNew) already checks: checking them here too listed
// each problem twice.
func (s SourceRef) rules(p *problems, at string) {
	if s.Kind == "" {
		p.add(at+"/kind", "is required (minutes, report, agreement, letter, press or web)")
	}
	if Blank(s.Title) {
		p.add(at+"/title", "is required (the document's title)")
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.add(at+"/url", fmt.Sprintf("%q is not an http(s) URL", s.URL))
		}
	}
	if s.SHA256 != "" {
		if b, err := hex.DecodeString(s.SHA256); err != nil || len(b) != 32 || strings.ToLower(s.SHA256) != s.SHA256 {
			p.add(at+"/sha256", "must be 64 lowercase hex digits (the SHA-256 of the document)")
		}
	}
	if s.Illustrative {
		p.add(at+"/illustrative", "is the form of events recorded before per-detail marks; name the details that were assumed instead, e.g. \"assumed\": [\"publisher\", \"published\"]")
	}
	if len(s.Assumed) > len(SourceDetails()) {
		p.addf(at+"/assumed", "has %d names; a source has %d details that can be assumed (%s)", len(s.Assumed), len(SourceDetails()), strings.Join(SourceDetails(), ", "))
		return
	}
	for i, d := range s.Assumed {
		switch {
		case !slices.Contains(SourceDetails(), d):
			p.addf(fmt.Sprintf("%s/assumed/%d", at, i), "%q is not a detail of a source that can be assumed (%s)", d, strings.Join(SourceDetails(), ", "))
		case slices.Index(s.Assumed, d) < i:
			p.addf(fmt.Sprintf("%s/assumed/%d", at, i), "%q is listed twice", d)
		case !s.gives(d):
			p.addf(fmt.Sprintf("%s/assumed/%d", at, i), "%q is not given in this source, so it cannot be marked assumed", d)
		}
	}
}

// ParseSources decodes a JSON array of source references, refusing unknown fields, and checks each.
func ParseSources(data []byte) ([]SourceRef, error) {
	var out []SourceRef
	if _, err := eventstore.Gate(data); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	if err := strictUnmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	var p problems
	for i, s := range out {
		s.check(&p, fmt.Sprintf("/sources/%d", i))
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Certainty says how sure the ledger is of a fact.
type Certainty string

// The certainties. Facts known only from the press are Reported.
const (
	Confirmed Certainty = "confirmed"
	Reported  Certainty = "reported"
	Inferred  Certainty = "inferred"
)

// ParseCertainty accepts confirmed, reported or inferred.
func ParseCertainty(s string) (Certainty, error) {
	switch c := Certainty(s); c {
	case Confirmed, Reported, Inferred:
		return c, nil
	}
	return "", fmt.Errorf("%q is not a certainty (confirmed, reported or inferred)", s)
}

// UnmarshalText validates the certainty.
func (c *Certainty) UnmarshalText(b []byte) error {
	v, err := ParseCertainty(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Officer is a person holding a post. Name identifies the officer within a partnership.
type Officer struct {
	Name string `json:"name" limit:"name"` // the officer's name, as minuted
}

// StatutoryRole is one of the roles every principal council must fill.
type StatutoryRole string

// The statutory roles.
const (
	HeadOfPaidService   StatutoryRole = "head_of_paid_service"
	MonitoringOfficer   StatutoryRole = "monitoring_officer"
	ChiefFinanceOfficer StatutoryRole = "chief_finance_officer" // the s151 officer
)

// ParseStatutoryRole accepts head_of_paid_service, monitoring_officer or chief_finance_officer
// (also written s151).
func ParseStatutoryRole(s string) (StatutoryRole, error) {
	switch r := StatutoryRole(s); r {
	case HeadOfPaidService, MonitoringOfficer, ChiefFinanceOfficer:
		return r, nil
	case "s151":
		return ChiefFinanceOfficer, nil
	}
	return "", fmt.Errorf("%q is not a statutory role (head_of_paid_service, monitoring_officer or chief_finance_officer)", s)
}

// UnmarshalText validates the role.
func (r *StatutoryRole) UnmarshalText(b []byte) error {
	v, err := ParseStatutoryRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// strictUnmarshal decodes exactly one JSON value, refusing unknown fields and trailing data. Its
// errors are *valueError, at the pointer of the value at fault.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errorsAs(err, &se) || !json.Valid(data) {
			return &valueError{Reason: reason(err)}
		}
		if kerr := exactKeys(data, v); kerr != nil {
			return kerr
		}
		return locate(data, reflect.TypeOf(v), "", err)
	}
	if dec.More() {
		return &valueError{Reason: "unexpected data after the JSON value"}
	}
	if _, err := dec.Token(); err == nil {
		return &valueError{Reason: "unexpected data after the JSON value"}
	}
	return exactKeys(data, v)
}

// ParseSource reads one source reference as typed on a command line: either a JSON object
// ({"kind":"press","title":"...","url":"..."}) or the shorthand "kind:title" with an optional
// "|url" (e.g. "minutes:Full Council 15 October 2015|https://example.org/minutes.pdf"). The result
// is checked as Decide would check it; an error is a *ValidationError whose problems are at
// pointers under /sources/0, as if the source were the first of a command.
//
// The whole text must pass the text rule (eventstore.TextProblem) as given: a control character or
// invalid UTF-8 anywhere is refused, never dropped. The one convenience is that ASCII spaces, tabs,
// carriage returns and line feeds around the whole, the title and the URL are removed
// ("minutes: Cabinet | https://…"); nothing else is changed.
func ParseSource(s string) (SourceRef, error) {
	var p problems
	if msg := eventstore.TextProblem(s); msg != "" {
		p.malformed("/sources/0", msg)
		return SourceRef{}, p.err()
	}
	s = TrimASCIISpace(s)
	if strings.HasPrefix(s, "{") {
		var ref SourceRef
		if _, err := eventstore.Gate([]byte(s)); err != nil {
			gateProblem(&p, "/sources/0", err)
			return SourceRef{}, p.err()
		}
		if err := strictUnmarshal([]byte(s), &ref); err != nil {
			valueProblem(&p, "/sources/0", err)
			return SourceRef{}, p.err()
		}
		return ref, checkSource(ref)
	}
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		p.malformed("/sources/0", fmt.Sprintf("%q is not a source: want kind:title[|url] or a JSON object", s))
		return SourceRef{}, p.err()
	}
	var ref SourceRef
	if err := ref.Kind.UnmarshalText([]byte(kind)); err != nil {
		p.malformed("/sources/0/kind", err.Error())
		return SourceRef{}, p.err()
	}
	ref.Title, ref.URL, _ = strings.Cut(rest, "|")
	ref.Title, ref.URL = TrimASCIISpace(ref.Title), TrimASCIISpace(ref.URL)
	return ref, checkSource(ref)
}

// TrimASCIISpace removes ASCII spaces, tabs, carriage returns and line feeds around s: the one
// trimming the ledger does for convenience on text typed in a flag, a form or a request. Unlike
// strings.TrimSpace it never removes a Unicode space such as U+0085 (a C1 control the text rule
// refuses) or U+00A0, so such a character is kept, or refused, as given, never dropped silently.
func TrimASCIISpace(s string) string { return strings.Trim(s, " \t\r\n") }

func checkSource(ref SourceRef) error {
	var p problems
	ref.check(&p, "/sources/0")
	return p.err()
}
