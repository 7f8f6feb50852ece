package browsertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A missing browser skips a test on a developer's machine and fails it in CI.
func TestMissingBrowserFailsInCI(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "no-chromium")
	msg, fail := missing(gone, false)
	assert.False(t, fail, "outside CI a missing browser skips")
	assert.Contains(t, msg, "apt-get install -y chromium")

	msg, fail = missing(gone, true)
	assert.True(t, fail, "in CI a missing browser fails")
	assert.Contains(t, msg, "CI is set")

	here := filepath.Join(t.TempDir(), "chromium")
	assert.NoError(t, os.WriteFile(here, nil, 0o755))
	msg, fail = missing(here, true)
	assert.Empty(t, msg)
	assert.False(t, fail)
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": false, "0": false, "true": true, "1": true} {
		t.Setenv("CI", v)
		assert.Equal(t, want, InCI(), "CI=%q", v)
	}
}
