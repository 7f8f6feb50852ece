package domain

import (
	"fmt"
	"time"
	_ "time/tzdata" // the ledger's days are days in Europe/London, whatever the host's zoneinfo holds
)

// london is loaded once, from the zone database embedded by time/tzdata.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		// Unreachable: time/tzdata is embedded.
		panic(fmt.Sprintf("domain: load Europe/London: %v", err))
	}
	return loc
}()

// London returns the Europe/London time zone (GMT in winter, BST in summer), the one zone in which the
// ledger turns a moment into a civil date: "today" as the default as_of, a date given as known_at
// (the end of that day), and the day a recorded_at falls on. Safe for concurrent use; the
// *time.Location is shared and must not be changed.
func London() *time.Location { return london }

// LondonDate returns the civil date of t in Europe/London: 2016-06-30T23:30:00Z is 2016-07-01 (BST),
// 2016-01-31T23:30:00Z is 2016-01-31 (GMT). Safe for concurrent use.
func LondonDate(t time.Time) Date { return DateOf(t.In(london)) }

// TimeText writes a moment for people, as the history, replay and review-pack tables show when an event
// was recorded: its UTC date and time to the minute, "2016-06-01 09:00" (recorded_at is kept in UTC;
// a sentence that shows one alone adds " UTC"). Exact instants are written in RFC 3339 instead.
// Safe for concurrent use.
func TimeText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
