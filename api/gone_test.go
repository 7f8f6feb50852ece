package api_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
)

// failingWriter is a connection whose every body write fails with err, as net/http's does once the
// client has gone; it counts the status lines the server tries to send.
type failingWriter struct {
	header  http.Header
	headers []int
	err     error
}

func (f *failingWriter) Header() http.Header         { return f.header }
func (f *failingWriter) WriteHeader(code int)        { f.headers = append(f.headers, code) }
func (f *failingWriter) Write(b []byte) (int, error) { return 0, f.err }

// syncBuffer is a log sink safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// Issue #18 (tester): a client disconnecting mid-response (wrk stopped) logged ERROR "broken pipe"
// and net/http's "superfluous response.WriteHeader call": the failed body write came back as an
// error, which was answered as a 500 problem after the 200 had been sent. Now a failed write never
// leads to a second status line, and a client that went away is logged at debug level only; any
// other failure after the answer began is still logged as an error, once.
func TestAFailedWriteAfterTheAnswerBeganSendsNoSecondStatus(t *testing.T) {
	var logs syncBuffer
	e := newEnvWith(t, false, func(c *api.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	gone := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
	reset := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.ECONNRESET)}
	for _, path := range []string{gnn + "/timeline", gnn, "/v1/partnerships", "/openapi.json", "/v1/nothing"} {
		for _, err := range []error{gone, reset, os.ErrDeadlineExceeded} {
			w := &failingWriter{header: http.Header{}, err: err}
			e.handler.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			assert.LessOrEqual(t, len(w.headers), 1, "%s (%v): at most one status line, got %v", path, err, w.headers)
		}
	}
	out := logs.String()
	assert.NotContains(t, out, `"level":"ERROR"`, "a client going away is not a server error")
	assert.NotContains(t, out, `"level":"WARN"`)
	assert.Contains(t, out, `"msg":"client went away"`, "it is logged at debug level")
	assert.Contains(t, out, `"level":"DEBUG"`)

	// A write that fails for another reason is the server's fault: logged as an error, once, and
	// still no second status line.
	before := strings.Count(logs.String(), `"level":"ERROR"`)
	w := &failingWriter{header: http.Header{}, err: errors.New("disk on fire")}
	e.handler.ServeHTTP(w, httptest.NewRequest("GET", gnn+"/timeline", nil))
	require.Len(t, w.headers, 1, "got %v", w.headers)
	assert.Equal(t, 200, w.headers[0])
	assert.Equal(t, before+1, strings.Count(logs.String(), `"level":"ERROR"`), logs.String())
	assert.Contains(t, logs.String(), "request failed after its answer began")
}
