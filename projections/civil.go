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

func (d day) String() string { return domain.DateOf(d.time()).String() }

// todayIn returns the civil date of now in Europe/London.
func todayIn(now time.Time) day { return dayOf(now.In(london)) }
