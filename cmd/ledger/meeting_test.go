package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPackMeetingDateRefused (issue 21): --meeting BODY=DATE takes one '=' and a real date within the
// ledger's dates, on or after the pack's as-of (a body meets to consider the pack after the date it
// describes); anything else is one line, exit 2, quoting the whole value and the shape
// BODY=YYYY-MM-DD, and nothing is written. Was: 1066-01-01 and a date before the as-of accepted,
// "cabinet=2016-06-20=x" read as the body "cabinet=2016-06-20" and the date "x".
func TestPackMeetingDateRefused(t *testing.T) {
	store := seeded(t)
	out := filepath.Join(t.TempDir(), "p")
	for _, tt := range []struct{ meeting, want string }{
		{"cabinet=2016-06-20=x", `ledger: pack: --meeting "cabinet=2016-06-20=x" has 2 '=': want BODY=YYYY-MM-DD, e.g. north-norfolk:cabinet=2016-06-20, with one '=' between the body and the date`},
		{"cabinet==2016-06-20", `--meeting "cabinet==2016-06-20" has 2 '=': want BODY=YYYY-MM-DD`},
		{"cabinet=1066-01-01", `ledger: pack: --meeting "cabinet=1066-01-01": the meeting date 1066-01-01 is outside the dates the ledger accepts (1900-01-01 to 2199-12-31)`},
		{"cabinet=2299-01-01", `--meeting "cabinet=2299-01-01": the meeting date 2299-01-01 is outside the dates the ledger accepts`},
		{"cabinet=2016-02-30", `ledger: pack: --meeting "cabinet=2016-02-30": 2016-02-30 is not a valid date: want BODY=YYYY-MM-DD`},
		{"cabinet=20 June", `--meeting "cabinet=20 June": "20 June" is not a date in the form YYYY-MM-DD: want BODY=YYYY-MM-DD`},
		{"cabinet", `--meeting "cabinet": want BODY=YYYY-MM-DD`},
		{"cabinet=2016-06-14", `"cabinet=2016-06-14": the meeting is before the date the pack describes (as of 2016-06-15)`},
	} {
		t.Run(tt.meeting, func(t *testing.T) {
			assertBadInput(t, []string{"pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "-o", out, "--meeting", tt.meeting}, tt.want)
			assert.NoDirExists(t, out, "nothing written")
		})
	}
	// The as-of day itself is a meeting that can consider the pack.
	r := ledger(t, nil, "pack", "--store", store, "--partnership", gnn, "--as-of", "2016-06-15", "--format", "md", "-o", out, "--meeting", "cabinet=2016-06-15")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "review pack for "), r.stdout)
}
