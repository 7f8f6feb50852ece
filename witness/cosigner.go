package witness

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// DefaultRetry is the first wait before a Cosigner asks a witness that failed again; it doubles up
// to 32 times that.
const DefaultRetry = 5 * time.Second

// DefaultTimeout bounds one request to a witness.
const DefaultTimeout = 30 * time.Second

// Cosigner asks the ledger's witnesses to cosign its latest checkpoint, in the background: each time
// a new checkpoint is stored (Notify; the audit.Checkpointer signs one after appends, rate-limited,
// so appends never wait for witnesses), it sends the latest checkpoint to every witness that has not
// cosigned it, with a consistency proof from the size that witness last cosigned (known from the
// cosignatures stored, else learnt from the witness's 409 answer), checks each cosignature against
// the witness's pinned key and stores it (eventstore.CheckpointStore.PutCosignature), so GET
// /checkpoint serves it. Each witness is asked on its own goroutine, independently of the others: a
// witness that is slow, hangs (up to the HTTP client's timeout) or fails never delays the others nor
// the quorum they make. A witness that fails is asked again after Retry, doubling up to 32 × Retry,
// and at the next checkpoint; after any failure its size is learnt again. A witness that refuses a
// checkpoint as inconsistent with one it cosigned (422) is logged as an error: it has seen another
// history of this log. A 409 naming a size larger than the ledger's checkpoint is a claim without
// proof (no cosigned checkpoint comes with it): it is logged as a misbehaving witness (a warning),
// not as a fork, and nothing of it is kept.
type Cosigner struct {
	Witnesses []Remote
	// Quorum is how many of Witnesses must cosign a checkpoint for it to count as witnessed.
	Quorum int
	Store  eventstore.CheckpointStore
	// Latest returns the latest stored checkpoint with its cosignatures (audit.Checkpointer.Latest).
	Latest func(ctx context.Context) (eventstore.Checkpoint, error)
	// Proof is the RFC 9162 §2.1.4 consistency proof between two sizes (audit.Log.ConsistencyProof).
	Proof  func(from, to uint64) ([]audit.Hash, error)
	Logger *slog.Logger
	// HTTP sends the requests (default: DefaultTimeout, no redirect followed).
	HTTP *http.Client
	// Retry is the first wait before asking a failed witness again (default DefaultRetry).
	Retry time.Duration
	// Round, when set, is called after each time a witness is asked (or found to have cosigned), on
	// that witness's goroutine, with the size of the checkpoint and how many of Witnesses have
	// cosigned it (for tests and metrics). It may be called from several goroutines at once.
	Round func(size uint64, cosigned int)

	wakeOnce  sync.Once
	wake      []chan struct{} // one per witness
	mu        sync.Mutex
	known     map[int]uint64 // by index in Witnesses: the size it last cosigned, when known
	witnessed uint64         // the largest size logged as witnessed
}

func (c *Cosigner) wakeChans() []chan struct{} {
	c.wakeOnce.Do(func() {
		c.wake = make([]chan struct{}, len(c.Witnesses))
		for i := range c.wake {
			c.wake[i] = make(chan struct{}, 1)
		}
	})
	return c.wake
}

// Notify tells the cosigner a new checkpoint is stored. It never blocks: notifications while a
// witness is being asked make it be asked once more.
func (c *Cosigner) Notify() {
	for _, ch := range c.wakeChans() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run asks each witness at once, then at each Notify (and, after a failure, after the retry wait),
// each on its own goroutine, until ctx ends; it returns nil when all of them have stopped.
func (c *Cosigner) Run(ctx context.Context) error {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: DefaultTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	retry := c.Retry
	if retry <= 0 {
		retry = DefaultRetry
	}
	wake := c.wakeChans()
	var wg sync.WaitGroup
	for i := range c.Witnesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.follow(ctx, i, wake[i], retry)
		}()
	}
	wg.Wait()
	return nil
}

// follow asks witness i until ctx ends: at once, at each wake, and after a failure after the retry
// wait (doubling up to 32 × retry).
func (c *Cosigner) follow(ctx context.Context, i int, wake <-chan struct{}, retry time.Duration) {
	wait := retry
	for {
		ok := c.turn(ctx, i)
		var after <-chan time.Time
		var timer *time.Timer
		if ok {
			wait = retry
		} else {
			timer = time.NewTimer(wait)
			after = timer.C
			wait = min(2*wait, 32*retry)
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-after:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// turn asks witness i to cosign the latest checkpoint unless it has, and reports whether it now has.
// Failures are logged.
func (c *Cosigner) turn(ctx context.Context, i int) bool {
	w := c.Witnesses[i]
	cp, err := c.Latest(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.Logger.Error("witnesses: no checkpoint to send", "err", err)
		}
		return false
	}
	ok := HasCosignature(cp, w.Key)
	if !ok {
		err := c.ask(ctx, i, cp)
		ok = err == nil
		if err != nil {
			c.forget(i)
			if ctx.Err() != nil {
				return false
			}
			var refused *RefusedError
			var ahead *aheadError
			switch {
			case errors.As(err, &refused) && refused.Status == http.StatusUnprocessableEntity:
				c.Logger.Error("witness refused the ledger's checkpoint as inconsistent with one it cosigned: it has seen another history of this log", "witness", w.Key.Name(), "url", w.URL, "size", cp.Size, "err", err)
			case errors.As(err, &ahead):
				c.Logger.Warn("witness misbehaves: it claims a larger tree than this ledger's without proof; asking it again later", "witness", w.Key.Name(), "url", w.URL, "size", cp.Size, "err", err)
			default:
				c.Logger.Warn("witness did not cosign", "witness", w.Key.Name(), "url", w.URL, "size", cp.Size, "err", err)
			}
		}
	}
	if stored, err := c.Store.CheckpointAt(ctx, cp.Size); err == nil {
		n := CountCosignatures(stored, c.Witnesses)
		c.mu.Lock()
		first := n >= c.Quorum && c.witnessed < cp.Size && CountCosignatures(cp, c.Witnesses) < c.Quorum
		if first {
			c.witnessed = cp.Size
		}
		c.mu.Unlock()
		if first {
			c.Logger.Info("checkpoint witnessed", "size", cp.Size, "cosignatures", n, "quorum", c.Quorum)
		}
		if c.Round != nil {
			c.Round(cp.Size, n)
		}
	}
	return ok
}

// aheadError: the witness answered 409 with a size larger than the ledger's checkpoint, a claim that
// comes without any checkpoint to back it.
type aheadError struct{ held, size uint64 }

func (e *aheadError) Error() string {
	return fmt.Sprintf("the witness says it holds a tree of %d events, more than this ledger's checkpoint of %d, and shows no checkpoint of it", e.held, e.size)
}

// ask sends cp to witness i (learning its size from a 409 once) and stores its cosignatures.
func (c *Cosigner) ask(ctx context.Context, i int, cp eventstore.Checkpoint) error {
	w := c.Witnesses[i]
	old, err := c.oldSize(ctx, i, cp.Size)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		if old > cp.Size {
			return &aheadError{held: old, size: cp.Size}
		}
		req := AddCheckpointRequest{OldSize: old, Checkpoint: cp.Note}
		if old > 0 && old < cp.Size {
			proof, err := c.Proof(old, cp.Size)
			if err != nil {
				return fmt.Errorf("consistency proof from %d to %d: %w", old, cp.Size, err)
			}
			for _, h := range proof {
				req.Proof = append(req.Proof, h[:])
			}
		}
		sigs, err := w.AddCheckpoint(ctx, c.HTTP, req)
		var conflict *ConflictError
		if errors.As(err, &conflict) && attempt == 0 {
			old = conflict.Size
			continue
		}
		if err != nil {
			return err
		}
		for _, s := range sigs {
			raw, err := base64.StdEncoding.DecodeString(s.Base64)
			if err != nil {
				return err
			}
			if _, err := c.Store.PutCosignature(ctx, cp.Size, cp.Root, eventstore.Cosignature{Name: s.Name, Signature: raw}); err != nil {
				return fmt.Errorf("store the cosignature: %w", err)
			}
		}
		c.remember(i, cp.Size)
		c.Logger.Info("witness cosigned", "witness", w.Key.Name(), "size", cp.Size)
		return nil
	}
}

// forget drops what is known of witness i's size, so the next request learns it again (from the
// cosignatures stored, else from its 409).
func (c *Cosigner) forget(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.known, i)
}

func (c *Cosigner) remember(i int, size uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known == nil {
		c.known = map[int]uint64{}
	}
	c.known[i] = size
}

// oldSize is the size witness i last cosigned: remembered, else the largest stored checkpoint up to
// size that it cosigned, else 0 (a witness that holds more answers 409 with its size).
func (c *Cosigner) oldSize(ctx context.Context, i int, size uint64) (uint64, error) {
	c.mu.Lock()
	old, ok := c.known[i]
	c.mu.Unlock()
	if ok {
		return old, nil
	}
	for cp, err := range c.Store.Checkpoints(ctx, 0) {
		if err != nil {
			return 0, err
		}
		if cp.Size > size {
			break
		}
		if HasCosignature(cp, c.Witnesses[i].Key) {
			old = cp.Size
		}
	}
	return old, nil
}

// HasCosignature reports whether cp carries a cosignature of its note by the key v that verifies.
func HasCosignature(cp eventstore.Checkpoint, v note.Verifier) bool {
	text := []byte(noteText(cp.Note))
	for _, s := range cp.Cosignatures {
		if s.Name == v.Name() && len(s.Signature) > 4 && binary.BigEndian.Uint32(s.Signature) == v.KeyHash() && v.Verify(text, s.Signature[4:]) {
			return true
		}
	}
	return false
}

// CountCosignatures is how many of witnesses cosigned cp, each counted once, by a cosignature that
// verifies under its pinned key.
func CountCosignatures(cp eventstore.Checkpoint, witnesses []Remote) int {
	n := 0
	for _, w := range witnesses {
		if HasCosignature(cp, w.Key) {
			n++
		}
	}
	return n
}
