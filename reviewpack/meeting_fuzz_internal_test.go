package reviewpack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/partnership-ledger/ledger/domain"
)

// FuzzParseMeeting: a meeting option is read or refused without a panic; one read has one '=', a
// body and a date within the ledger's dates; a refusal is one line quoting the whole option.
func FuzzParseMeeting(f *testing.F) {
	for _, s := range []string{"cabinet=2016-06-20", "cabinet=2016-06-20=x", "cabinet=1066-01-01", "cabinet=2299-01-01",
		"cabinet=2016-02-30", "=2016-06-20", "2016-06-20", "north-norfolk:cabinet = 2016-06-20 ", "a\x00=2016-06-20"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		body, on, err := parseMeeting(s)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") && !strings.ContainsAny(s, "\n\r") {
				t.Fatalf("more than one line: %q", msg)
			}
			if !strings.Contains(msg, fmt.Sprintf("%q", s)) {
				t.Fatalf("the option is not quoted whole: %q", msg)
			}
			return
		}
		if strings.Count(s, "=") != 1 || body == "" || domain.DateLimitProblem(on) != "" {
			t.Fatalf("%q read as body %q, date %s", s, body, on)
		}
	})
}
