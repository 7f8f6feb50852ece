package bolt_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
	"github.com/partnership-ledger/ledger/fault"
)

// TestHelperProcess is not a test: the tests below run the test binary again as a child process in
// one of these modes, chosen by LEDGER_BOLT_HELPER.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("LEDGER_BOLT_HELPER")
	if mode == "" {
		t.Skip("runs only as a child process of the durability tests")
	}
	path := os.Getenv("LEDGER_BOLT_PATH")
	s, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		fmt.Println("open error:", err)
		os.Exit(3)
	}
	switch mode {
	case "hold":
		fmt.Println("holding")
		select {} // until killed
	case "append":
		// Several writers append forever; each acknowledged event is printed after Append returns.
		var mu sync.Mutex
		out := bufio.NewWriter(os.Stdout)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					e := storetest.Event("T", fmt.Sprintf(`{"w":%d,"i":%d,"pad":"%s"}`, w, i, strings.Repeat("x", 300)))
					got, err := s.Append(context.Background(), fmt.Sprintf("crash-%d", w%3), eventstore.Any, e)
					if err != nil {
						fmt.Fprintln(os.Stderr, "append:", err)
						os.Exit(4)
					}
					mu.Lock()
					fmt.Fprintf(out, "%s %d\n", got[0].ID, got[0].Seq)
					out.Flush()
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
}

func child(t *testing.T, mode, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "LEDGER_BOLT_HELPER="+mode, "LEDGER_BOLT_PATH="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestSecondProcessFailsFastWithAHint: while another process holds the file, Open gives up after its
// LockTimeout (the default, as every command uses, and a short one) with ErrLocked and a hint naming
// the file and --server, and never hangs: Open runs in a goroutine the test waits for, failing if
// it has not returned long after its timeout (a hang detector, not a measured duration).
func TestSecondProcessFailsFastWithAHint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	cmd := child(t, "hold", path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "holding\n", line)

	for _, opts := range []bolt.Options{{}, {LockTimeout: time.Millisecond}, {LockTimeout: time.Millisecond, ReadOnly: true}} {
		done := make(chan error, 1)
		go func() {
			s, err := bolt.Open(path, opts)
			if err == nil {
				s.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			require.ErrorIs(t, err, eventstore.ErrLocked, "options %+v", opts)
			assert.Contains(t, err.Error(), "--server")
			assert.Contains(t, err.Error(), path)
			// The message for people names the file and what to do, without the package's prefix.
			assert.NotContains(t, fault.Message(err), "eventstore:")
			assert.Contains(t, fault.Message(err), path+" is held by another process")
		case <-time.After(30 * time.Second):
			t.Fatalf("Open with options %+v still waits on the lock 30 s on: it must give up after its LockTimeout", opts)
		}
	}
}

// TestKill9 kills a process that appends from several writers at random moments, at least 20 times,
// and checks after each restart that every acknowledged event is there, seq has no gap, nothing
// partial is visible and every chain verifies.
func TestKill9(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (set LEDGER_CRASH_SEED to replay)", seed)
	if s := os.Getenv("LEDGER_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	path := filepath.Join(t.TempDir(), "ledger.db")
	const cycles = 20
	acked := map[uuid.UUID]uint64{}
	for cycle := range cycles {
		cmd := child(t, "append", path)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(out)
		// Let it acknowledge a random number of events, then kill it mid-flight.
		target := 20 + rng.IntN(400)
		n := 0
		for n < target && sc.Scan() {
			f := strings.Fields(sc.Text())
			require.Len(t, f, 2, "child said %q", sc.Text())
			id := uuid.MustParse(f[0])
			seq, _ := strconv.ParseUint(f[1], 10, 64)
			acked[id] = seq
			n++
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		// Lines already written by the child before it died were acknowledged too.
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 2 {
				if id, err := uuid.Parse(f[0]); err == nil {
					seq, _ := strconv.ParseUint(f[1], 10, 64)
					acked[id] = seq
				}
			}
		}
		cmd.Wait()
		require.Equal(t, target, n, "cycle %d: the child stopped early", cycle)

		s, err := bolt.Open(path, bolt.Options{})
		require.NoError(t, err, "cycle %d: reopen after kill -9", cycle)
		var v eventstore.ChainVerifier
		found := map[uuid.UUID]uint64{}
		for e, err := range s.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
			require.NoError(t, err)
			require.NoError(t, v.Add(e), "cycle %d", cycle)
			found[e.ID] = e.Seq
		}
		h, err := s.Head(context.Background())
		require.NoError(t, err)
		require.Equal(t, v.Count(), h.Seq, "cycle %d: head matches the log", cycle)
		for id, seq := range acked {
			require.Equal(t, seq, found[id], "cycle %d: acknowledged event %s lost or moved", cycle, id)
		}
		require.NoError(t, s.Close())
	}
	assert.GreaterOrEqual(t, len(acked), cycles*20)
}

func TestAppendIsAcknowledgedOnlyAfterSync(t *testing.T) {
	var synced atomic.Int64
	var opts bolt.Options
	bolt.SetAfterSync(&opts, func(events int) { synced.Add(int64(events)) })
	s, err := bolt.Open(filepath.Join(t.TempDir(), "ledger.db"), opts)
	require.NoError(t, err)
	defer s.Close()
	for i := range 5 {
		before := s.Syncs()
		_, err := s.Append(context.Background(), "a", eventstore.Any, storetest.Event("T", `{}`))
		require.NoError(t, err)
		assert.Equal(t, int64(i+1), synced.Load(), "the commit holding the event was synced before Append returned")
		assert.Greater(t, s.Syncs(), before)
	}
	// bbolt syncs on every commit unless NoSync is set; the store never sets it.
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
	require.NoError(t, err)
	assert.False(t, db.NoSync)
	db.Close()
}

// TestFlippedByteIsCaught edits one stored event's bytes in the file and sees verification name it.
func TestFlippedByteIsCaught(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	for i := range 10 {
		_, err := s.Append(context.Background(), fmt.Sprintf("s%d", i%2), eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d,"text":"some words here"}`, i)))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())

	// Change the last byte of event 6's payload ('}' of its data is kept valid JSON: flip a letter).
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		k := binary.BigEndian.AppendUint64(nil, 6)
		v := append([]byte(nil), b.Get(k)...)
		i := strings.LastIndex(string(v), "words")
		require.Positive(t, i)
		v[i] = 'W'
		return b.Put(k, v)
	}))
	require.NoError(t, db.Close())

	s, err = bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer s.Close()
	var v eventstore.ChainVerifier
	var bad *eventstore.ChainError
	for e, err := range s.ReadAll(context.Background(), 0, eventstore.Forward, 0) {
		require.NoError(t, err)
		if err := v.Add(e); err != nil {
			require.ErrorAs(t, err, &bad)
			break
		}
	}
	require.NotNil(t, bad, "the edit was caught")
	assert.Equal(t, uint64(6), bad.Seq)
	assert.Equal(t, "hash", bad.Field)
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	var want []eventstore.Event
	for i := range 1500 { // more than one read chunk
		got, err := s.Append(context.Background(), fmt.Sprintf("s%d", i%7), eventstore.Any, storetest.Event("T", fmt.Sprintf(`{"i":%d}`, i)))
		require.NoError(t, err)
		want = append(want, got...)
	}
	require.NoError(t, s.Close())
	s, err = bolt.Open(path, bolt.Options{})
	require.NoError(t, err)
	defer s.Close()
	got := storetest.Collect(t, s.ReadAll(context.Background(), 0, eventstore.Forward, 0))
	assert.Equal(t, want, got)
	e, err := s.EventByID(context.Background(), want[700].ID)
	require.NoError(t, err)
	assert.Equal(t, want[700], e)
	_, err = s.EventByID(context.Background(), uuid.New())
	assert.ErrorIs(t, err, eventstore.ErrNotFound)
}
