package witness_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustB64(t testing.TB, s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func ed25519Verify(pub, msg, sig []byte) bool { return ed25519.Verify(pub, msg, sig) }

// newTestLogger logs text lines into out, under mu.
func newTestLogger(mu *sync.Mutex, out *strings.Builder) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{mu: mu, w: out}, nil))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
