package recording_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/storetest"
)

// fakeNow is a clock that moves only when told.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

type outcome struct {
	res recording.Result
	err error
}

// recv waits for a value, failing the test if none comes within 10 s (the machine may be slow;
// nothing here measures time).
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// pending reports whether ch has nothing yet.
func pending[T any](ch <-chan T) bool {
	select {
	case v := <-ch:
		_ = v
		return false
	default:
		return true
	}
}

// gatedService returns a Service over a gated memory store holding the proposal, with deadlines
// on the fake clock, and a channel told each time a command queues behind a batch in flight.
func gatedService(t *testing.T, timeout time.Duration) (*storetest.Held, *recording.Service, *fakeNow, chan struct{}) {
	t.Helper()
	store, _ := started(t)
	g := storetest.Hold(store)
	now := &fakeNow{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	svc := recording.NewWithOptions(g, recording.Options{Clock: clock, Now: now.Now, Timeout: timeout})
	queued := make(chan struct{}, 64)
	recording.OnQueued(svc, func() { queued <- struct{}{} })
	return g, svc, now, queued
}

func cost(i int) domain.Command {
	return cmd(domain.TypeOneOffCostIncurred, "2015-12-02",
		fmt.Sprintf(`{"council":"north-norfolk","financial_year":2015,"category":"c%d","amount_pence":1}`, i))
}

func recordAsync(svc *recording.Service, ctx context.Context, c domain.Command) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		res, err := svc.Record(ctx, "w", c, nil)
		ch <- outcome{res, err}
	}()
	return ch
}

// streamLen counts the partnership's stored events.
func streamLen(t *testing.T, s eventstore.Store) int {
	t.Helper()
	n := 0
	for _, err := range s.ReadStream(context.Background(), "partnership-gy-nn", eventstore.Start, eventstore.Forward, 0) {
		require.NoError(t, err)
		n++
	}
	return n
}

// A caller is answered after its own batch and at most the one in flight when it arrived: the
// first caller no longer flushes the batches queued behind it before answering (issue 18).
func TestRecordIsFair(t *testing.T) {
	g, svc, _, queued := gatedService(t, 0)
	ctx := context.Background()

	a := recordAsync(svc, ctx, cost(1))
	assert.Equal(t, 1, recv(t, g.Started, "append of A"))
	b := recordAsync(svc, ctx, cost(2))
	recv(t, queued, "B queued")
	c := recordAsync(svc, ctx, cost(3))
	recv(t, queued, "C queued")

	g.Release <- struct{}{} // A's append ends; B and C go together
	ra := recv(t, a, "answer to A")
	require.NoError(t, ra.err)
	assert.Equal(t, 2, recv(t, g.Started, "append of B and C"))
	d := recordAsync(svc, ctx, cost(4))
	recv(t, queued, "D queued")
	e := recordAsync(svc, ctx, cost(5))
	recv(t, queued, "E queued")
	assert.True(t, pending(b) && pending(c), "B and C wait for their append")

	g.Release <- struct{}{} // B and C's append ends; D and E go together
	rb, rc := recv(t, b, "answer to B"), recv(t, c, "answer to C")
	require.NoError(t, rb.err)
	require.NoError(t, rc.err)
	assert.Equal(t, 2, recv(t, g.Started, "append of D and E"))
	assert.True(t, pending(d) && pending(e), "D and E wait for their append")

	g.Release <- struct{}{}
	rd, re := recv(t, d, "answer to D"), recv(t, e, "answer to E")
	require.NoError(t, rd.err)
	require.NoError(t, re.err)

	seq := func(o outcome) uint64 { return o.res.Events[0].Seq }
	assert.Equal(t, uint64(2), seq(ra))
	assert.ElementsMatch(t, []uint64{3, 4}, []uint64{seq(rb), seq(rc)})
	assert.ElementsMatch(t, []uint64{5, 6}, []uint64{seq(rd), seq(re)})
}

// A command still queued when its deadline passes is withdrawn when a batch would take it: it is
// answered ErrUnavailable and never appended, and a retry records it once.
func TestRecordWithdrawsACommandPastItsDeadline(t *testing.T) {
	g, svc, now, queued := gatedService(t, 5*time.Second)
	ctx := context.Background()

	a := recordAsync(svc, ctx, cost(1))
	recv(t, g.Started, "append of A")
	b := recordAsync(svc, ctx, cost(2))
	recv(t, queued, "B queued")
	now.Advance(5 * time.Second) // B's deadline passes while A's append is in flight

	g.Release <- struct{}{}
	require.NoError(t, recv(t, a, "answer to A").err)
	rb := recv(t, b, "answer to B")
	require.ErrorIs(t, rb.err, recording.ErrUnavailable)
	var ue *recording.UnavailableError
	require.ErrorAs(t, rb.err, &ue)
	assert.Equal(t, "gy-nn", ue.Partnership)
	assert.Equal(t, 5*time.Second, ue.Timeout)
	assert.Empty(t, rb.res.Events)
	assert.Equal(t, 2, streamLen(t, g.Store), "the proposal and A; B was never appended")
	assert.True(t, pending(g.Started), "no append was started for B")

	close(g.Release)
	res, err := svc.Record(ctx, "w", cost(2), nil) // the client's retry
	require.NoError(t, err)
	assert.Equal(t, uint64(3), res.Events[0].Seq)
	assert.Equal(t, 3, streamLen(t, g.Store))
}

// A caller whose deadline passes while its command is still queued is answered at once, without
// waiting for the batch in flight, and the command is dropped when a batch comes to it.
func TestRecordAnswersAQueuedCallerAtItsDeadline(t *testing.T) {
	g, svc, now, queued := gatedService(t, 5*time.Second)
	var once sync.Once
	recording.OnQueued(svc, func() {
		once.Do(func() { now.Advance(5 * time.Second) }) // B's deadline passes as it queues
		queued <- struct{}{}
	})
	ctx := context.Background()

	a := recordAsync(svc, ctx, cost(1))
	recv(t, g.Started, "append of A")
	b := recordAsync(svc, ctx, cost(2))
	recv(t, queued, "B queued")
	require.ErrorIs(t, recv(t, b, "answer to B").err, recording.ErrUnavailable)
	assert.True(t, pending(a), "A's append is still held")

	cctx, cancel := context.WithCancel(ctx)
	c := recordAsync(svc, cctx, cost(3))
	recv(t, queued, "C queued")
	cancel()
	require.ErrorIs(t, recv(t, c, "answer to C").err, context.Canceled)

	close(g.Release)
	require.NoError(t, recv(t, a, "answer to A").err)
	// D queues behind whatever is still draining, so once it is answered B and C were dropped.
	_, err := svc.Record(ctx, "w", cost(4), nil)
	require.NoError(t, err)
	var cats []string
	for e, err := range g.Store.ReadStream(ctx, "partnership-gy-nn", eventstore.Start, eventstore.Forward, 0) {
		require.NoError(t, err)
		cats = append(cats, string(e.Data))
	}
	require.Len(t, cats, 3, "the proposal, A and D")
	assert.Contains(t, cats[1], `"c1"`)
	assert.Contains(t, cats[2], `"c4"`)
}
