package projections

import (
	"strconv"
	"strings"
)

// FormatPence writes an amount of money as pounds for people: 4000000 → "£40,000", 123456 →
// "£1,234.56", -5000 → "-£50".
func FormatPence(p int64) string {
	var b strings.Builder
	u := uint64(p)
	if p < 0 {
		b.WriteByte('-')
		u = uint64(-p)
	}
	b.WriteString("£")
	pounds, pence := u/100, u%100
	digits := strconv.FormatUint(pounds, 10)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if pence != 0 {
		b.WriteByte('.')
		if pence < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.FormatUint(pence, 10))
	}
	return b.String()
}
