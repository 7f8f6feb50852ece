package projections

import (
	"fmt"
	"time"

	"github.com/partnership-ledger/ledger/domain"
)

// day is a civil date as days since 1970-01-01: compact to keep per event, cheap to compare.
type day int32

func dayOf(t time.Time) day {
	y, m, d := t.Date()
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// parseDay reads YYYY-MM-DD.
func parseDay(s string) (day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a valid date (YYYY-MM-DD): %s", s, dateProblem(err))
	}
	return dayOf(t), nil
}

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d day) String() string { return domain.DateText(d.civil()) }

// civil returns the year, month and day of d, by arithmetic rather than through time.Time (Howard
// Hinnant's civil_from_days): read models print a date for every event they fold.
func (d day) civil() (y, m, dd int) {
	z := int(d) + 719468 // days from 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // day of the 400-year era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year, from 1 March
	mp := (5*doy + 2) / 153                                // month, from March
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, dd
}

// todayIn returns the civil date of now in Europe/London.
func todayIn(now time.Time) day { return dayOf(now.In(domain.London())) }
