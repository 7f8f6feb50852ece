package kurrenttest

import (
	"os"
	"testing"
)

// EnvURL names the environment variable that points tests at a real
// KurrentDB instead of this server, e.g.
// LEDGER_TEST_KURRENTDB=esdb://localhost:2113?tls=false.
const EnvURL = "LEDGER_TEST_KURRENTDB"

// ConnectionString returns the connection string tests should use: the
// value of EnvURL when it is set, otherwise the URL of a Server started
// for the duration of t (as Start does). Tests that need the Server's
// hooks (faults, call records) must call Start instead and cannot run
// against a real database.
func ConnectionString(t testing.TB) string {
	t.Helper()
	if url := os.Getenv(EnvURL); url != "" {
		return url
	}
	return Start(t).URL()
}
