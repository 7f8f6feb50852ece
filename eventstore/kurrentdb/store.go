package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/partnership-ledger/ledger/eventstore"
)

// Options configure a Store. The zero value is sensible.
type Options struct {
	// Now gives recorded_at for events proposed without one. Default time.Now.
	Now func() time.Time
	// Namespace, when set, is prepended to every stream name in KurrentDB, and only streams that
	// start with it belong to the ledger. Several ledgers (or test runs) can then share one database;
	// each derives its own seq. It is 1 to 64 letters, digits or '_' followed by one '-' (as
	// "ledger1-"; KurrentDB calls the part before the first '-' a category), so no namespace is a
	// prefix of another and each takes in exactly its own streams. Default: none, and then the
	// ledger owns every stream of the database that is not a system stream.
	Namespace string
	// Logger receives the KurrentDB client's log lines (at debug level: it logs every dropped
	// subscription as an error, including the ones the adapter closes) and the adapter's own
	// reconnection notices (at warn level). Default: discard.
	Logger *slog.Logger
	// RetryInterval is how long the follow subscription waits before it subscribes again after
	// being dropped. Default 500ms.
	RetryInterval time.Duration
	// MaxAppendSize is the largest total size of one append's events, as KurrentDB counts it
	// (AppendBytes); set it to the server's MaxAppendSize. A larger append is refused before it is
	// sent, with *eventstore.AppendTooLargeError. Default DefaultMaxAppendSize (KurrentDB's default,
	// 1 MiB); negative: no limit here (the server's own still applies, and its refusal is the same
	// error).
	MaxAppendSize int

	// beforeFold, when set (tests), runs before the index folds each ledger event.
	beforeFold func()
	// beforeAppend, when set (tests), runs before each AppendToStream call, with the stream.
	beforeAppend func(stream string)
}

// Store is an eventstore.Store on KurrentDB. It is safe for concurrent use.
type Store struct {
	opts   Options
	cfg    *esdb.Configuration
	filter *esdb.SubscriptionFilter
	idx    *index

	base   context.Context // cancelled by Close: every call to the server derives from it
	cancel context.CancelFunc

	mu       sync.Mutex
	client   *esdb.Client
	closed   bool
	inflight sync.WaitGroup // calls into the client; Close waits for them before closing it
	locks    map[string]*streamLock
	lastRec  int64 // the latest recorded_at this Store assigned (Unix ns)

	// order is held from assigning recorded_at to KurrentDB's answer, so appends commit in the order
	// of their recorded_at (appendLocked).
	order sync.Mutex

	followDone chan struct{}

	checkpoints checkpointFold // the checkpoint stream, folded (checkpoint.go)
}

var _ eventstore.Store = (*Store)(nil)

type streamLock struct {
	ch   chan struct{}
	refs int
}

// validNamespace is the form of Options.Namespace: no '-' but the last, so namespaces are prefix-free.
var validNamespace = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}-$`)

// ErrBadNamespace is matched (errors.Is) by Open's error for an Options.Namespace of the wrong form.
var ErrBadNamespace = errors.New("kurrentdb: bad namespace")

// ErrBadConnectionString is matched (errors.Is) by Open's error for a connection string the client
// cannot parse: a mistake to correct, not a server to wait for.
var ErrBadConnectionString = errors.New("kurrentdb: bad connection string")

// Open connects to the KurrentDB named by url (e.g. "esdb://localhost:2113?tls=false"), builds the
// index of the ledger's events by subscribing to $all from the start, and returns once the index has
// caught up. The subscription then keeps following $all until Close.
//
// Errors: a malformed url; the first subscription failing (server unreachable, access denied); ctx
// ending before the index caught up.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxAppendSize == 0 {
		opts.MaxAppendSize = DefaultMaxAppendSize
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = 500 * time.Millisecond
	}
	if opts.Namespace != "" && !validNamespace.MatchString(opts.Namespace) {
		return nil, fmt.Errorf("%w: %q must be 1 to 64 letters, digits or '_' followed by one '-' (as \"ledger1-\"), so that no namespace is a prefix of another",
			ErrBadNamespace, opts.Namespace)
	}
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadConnectionString, url, err)
	}
	log := opts.Logger
	cfg.Logger = func(level esdb.LogLevel, format string, args ...any) {
		if log.Enabled(context.Background(), slog.LevelDebug) {
			log.Debug("kurrentdb client: "+fmt.Sprintf(format, args...), "level", level)
		}
	}
	client, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("kurrentdb: %w", err)
	}
	// The ledger's streams and their metadata streams ($$name), whose $metadata events tell of soft
	// deletes and truncation; system streams and their events stay on the server.
	filter := &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: `^(\$\$)?[^\$]`}
	if opts.Namespace != "" {
		filter = &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{opts.Namespace, "$$" + opts.Namespace}}
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Store{opts: opts, cfg: cfg, filter: filter, idx: newIndex(), base: base, cancel: cancel,
		client: client, locks: map[string]*streamLock{}, followDone: make(chan struct{})}
	first := make(chan error, 1)
	go s.follow(first)
	select {
	case err = <-first:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		err = s.idx.wait(ctx, func() bool { return s.idx.caught })
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("kurrentdb: open %s: %w", url, err)
	}
	return s, nil
}

// follow keeps the index current: a filtered $all subscription from the last folded position, taken
// again whenever it drops, until Close. The first subscription's outcome goes to first.
func (s *Store) follow(first chan<- error) {
	defer close(s.followDone)
	for {
		from := esdb.AllPosition(esdb.Start{})
		if pos, ok := s.idx.lastPosition(); ok {
			from = pos
		}
		err := s.use(func(c *esdb.Client) error {
			sub, err := c.SubscribeToAll(s.base, esdb.SubscribeToAllOptions{From: from, Filter: s.filter})
			if first != nil {
				first <- err
				first = nil
			}
			if err != nil {
				return err
			}
			defer sub.Close()
			return s.foldFrom(sub)
		})
		if s.base.Err() != nil {
			return
		}
		if first != nil { // use refused: closed
			first <- err
			return
		}
		s.opts.Logger.Warn("kurrentdb: the $all subscription dropped; subscribing again", "err", err)
		if s.reconnectIfClosed(err) {
			continue
		}
		t := time.NewTimer(s.opts.RetryInterval)
		select {
		case <-s.base.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// foldFrom folds what the subscription delivers until it drops.
func (s *Store) foldFrom(sub *esdb.Subscription) error {
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return ev.SubscriptionDropped.Error
		case ev.CaughtUp != nil:
			s.idx.caughtUp()
		case ev.EventAppeared != nil:
			r := ev.EventAppeared.Event
			if s.foldDeletion(r) {
				continue
			}
			e, ok, err := decode(s.opts.Namespace, r)
			if !ok {
				continue
			}
			if err != nil {
				// Counted all the same (it carries the marker); reads of it report the damage.
				s.opts.Logger.Warn("kurrentdb: a ledger event does not decode", "err", err)
				e = eventstore.Event{ID: r.EventID, Stream: r.StreamID[len(s.opts.Namespace):], Revision: r.EventNumber}
			}
			if s.opts.beforeFold != nil {
				s.opts.beforeFold()
			}
			s.idx.fold(r.Position, e)
		}
	}
}

// foldDeletion records in the index what a $metadata event of a ledger stream's $$stream, or a
// ledger stream's tombstone record, does to the stream, and reports whether r was one of them.
func (s *Store) foldDeletion(r *esdb.RecordedEvent) bool {
	ns := s.opts.Namespace
	switch {
	case r == nil:
		return false
	case r.EventType == "$metadata" && strings.HasPrefix(r.StreamID, "$$") && qualifies(ns, r.StreamID[2:]):
		name := r.StreamID[2+len(ns):]
		s.idx.setMetadata(name, metadataDamage(name, r.Data))
		return true
	case r.EventType == "$streamDeleted" && qualifies(ns, r.StreamID):
		s.idx.markTombstoned(r.StreamID[len(ns):])
		return true
	}
	return false
}

// use runs fn with the client, counted as in flight so that Close does not close the client under it
// (the v4.2.0 client panics when an error arrives on a closed client). It returns ErrClosed after
// Close.
func (s *Store) use(fn func(c *esdb.Client) error) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return eventstore.ErrClosed
	}
	s.inflight.Add(1)
	c := s.client
	s.mu.Unlock()
	defer s.inflight.Done()
	return fn(c)
}

// reconnectIfClosed replaces the client when err says it closed itself (the v4.2.0 client gives up for
// good after its discovery attempts fail), and reports whether it did.
func (s *Store) reconnectIfClosed(err error) bool {
	var ee *esdb.Error
	if !errors.As(err, &ee) || ee.Code() != esdb.ErrorCodeConnectionClosed {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	c, nerr := esdb.NewClient(s.cfg)
	if nerr != nil {
		return false
	}
	// The old client's state machine has already stopped; closing it again would race with calls
	// still returning on it, so it is left to the garbage collector.
	s.client = c
	s.opts.Logger.Warn("kurrentdb: the client gave up on the server; connecting again")
	return true
}

// opContext returns a context that ends with ctx or when the Store is closed.
func (s *Store) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.base, cancel)
	return c, func() { stop(); cancel() }
}

// lockStream takes the in-process lock of one stream, or fails when ctx ends first.
func (s *Store) lockStream(ctx context.Context, stream string) (func(), error) {
	s.mu.Lock()
	l := s.locks[stream]
	if l == nil {
		l = &streamLock{ch: make(chan struct{}, 1)}
		s.locks[stream] = l
	}
	l.refs++
	s.mu.Unlock()
	release := func() {
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, stream)
		}
		s.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// Close stops following $all, waits for calls in flight to end and closes the connection. Calls after
// Close return eventstore.ErrClosed. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.idx.stop(eventstore.ErrClosed)
	s.inflight.Wait()
	<-s.followDone
	s.mu.Lock()
	c := s.client
	s.mu.Unlock()
	return c.Close()
}

// isClosed reports whether Close was called.
func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
