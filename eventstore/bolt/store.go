package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

var (
	bucketEvents  = []byte("events") // seq (8 bytes BE) → encoded envelope
	bucketRevs    = []byte("revs")   // stream ‖ 0x00 ‖ first revision (8) → seqs (8 each): see index.go
	bucketIDs     = []byte("ids")    // event id (16) → seq (8)
	bucketMeta    = []byte("meta")   // "seq" → last seq; "recorded_at" → last recorded_at (Unix ns)
	keySeq        = []byte("seq")
	keyRecordedAt = []byte("recorded_at")
)

// readChunk bounds how many events one read transaction returns, so that a long catch-up never holds
// a read transaction (and with it the file's old pages) for long.
const readChunk = 512

// maxBatch bounds how many appends one commit takes.
const maxBatch = 4096

// gatherFor bounds how long the commit loop waits, before committing, for appends that are already
// inside Append but not yet queued (being prepared, or just answered and about to return). It never
// waits for callers that are not in Append, so a lone writer commits at once. Like PostgreSQL's
// commit_delay with commit_siblings: with 64 writers, the writers answered by one commit used to queue
// while the next commit ran, so commits alternated between two halves of 32 appends; gathering both
// halves into one commit measured 45k → 52–57k events/s (docs/benchmarks.md).
const gatherFor = 500 * time.Microsecond

// Options configure a Store. The zero value is sensible.
type Options struct {
	// Now gives recorded_at for events proposed without one. Default time.Now.
	Now func() time.Time
	// LockTimeout is how long Open waits for another process to release the file. Default 1s.
	LockTimeout time.Duration
	// afterSync, when set (tests), runs after each commit is synced, before appends are answered.
	afterSync func(events int)
	// ReadOnly opens the file read-only, with a shared lock: nothing is written (Append fails with
	// ErrReadOnly), so a store can be checked from evidence on read-only media.
	ReadOnly bool
	// Salvage (with ReadOnly) opens a store whose last event, or an event after the secondary indexes'
	// last flush, is damaged, so that what precedes it can be read out: ReadAll reads up to the
	// damage; reads through the indexes (ReadStream, EventByID) report it. The file's pages must
	// still check.
	Salvage bool
	// flushAt, when set (tests), replaces defaultFlushAt.
	flushAt int
}

// Store is the embedded event store: one bbolt file. Appends are coalesced by a commit loop into one
// transaction and one fsync per batch. A Store is safe for concurrent use.
type Store struct {
	db       *bbolt.DB
	path     string
	indexErr error // Salvage: the damage found on Open; reads through the indexes fail with it
	opts     Options
	reqs     chan *appendReq
	enqueue  sync.Mutex // held while an Append or a whole AppendBatch queues, so a batch's appends are queued together
	inflight atomic.Int64
	left     chan struct{}

	closeOnce sync.Once
	closing   chan struct{}
	loopDone  chan struct{}

	mu     sync.Mutex
	notify chan struct{} // closed and replaced after every commit that appended events
	head   atomic.Pointer[eventstore.Head]

	syncs atomic.Uint64

	tail *tail // the newest secondary-index entries, not yet in the revs and ids buckets

	zero *zeroAhead // keeps written zeros ahead of the data; nil when that failed (only slower)
}

var (
	_ eventstore.Store         = (*Store)(nil)
	_ eventstore.BatchAppender = (*Store)(nil)
)

// ErrReadOnly: an append to a store opened with Options.ReadOnly.
var ErrReadOnly = errors.New("bolt: the store is open read-only")

type appendReq struct {
	ctx      context.Context
	group    *appendGroup // the AppendBatch it belongs to; nil for Append
	stream   string
	expected eventstore.Expected
	events   []eventstore.Event
	done     chan appendResp
}

type appendResp struct {
	events []eventstore.Event
	err    error
}

// Open opens (creating if needed, unless Options.ReadOnly) the store in the file at path.
//
// An existing file is checked before bbolt maps it (checkFile: meta pages, every page's bounds and
// structure against the file's size) and after (the four buckets, the last event the meta record
// names): damage is a *eventstore.DamageError (matching eventstore.ErrCorrupt), never a crash. It fails with an
// error matching eventstore.ErrLocked when another process holds the file for longer than
// Options.LockTimeout, and with one matching fs.ErrNotExist when ReadOnly and the file is missing.
func Open(path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.flushAt <= 0 {
		opts.flushAt = defaultFlushAt
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	opts.ReadOnly = opts.ReadOnly || opts.Salvage
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if opts.ReadOnly && !existed {
		return nil, fmt.Errorf("open %s: %w", path, statErr)
	}
	var stats fileStats
	if existed {
		var err error
		if stats, err = checkFile(path, opts.LockTimeout); err != nil {
			return nil, err
		}
	}
	var db *bbolt.DB
	err := guarded(path, "a page", func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly,
			NoFreelistSync: true, FreelistType: bbolt.FreelistMapType, InitialMmapSize: 1 << 30})
		return err
	})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, lockedError(path)
	}
	if err != nil {
		var d *eventstore.DamageError
		if errors.As(err, &d) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, opts: opts, reqs: make(chan *appendReq, maxBatch), left: make(chan struct{}, 1), closing: make(chan struct{}),
		loopDone: make(chan struct{}), notify: make(chan struct{}), tail: newTail()}
	if !existed {
		err = s.update(func(tx *bbolt.Tx) error {
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = s.view(func(tx *bbolt.Tx) error {
			if err := s.checkBuckets(tx); err != nil {
				return err
			}
			h, err := s.readHead(tx)
			s.head.Store(&h)
			if err != nil && opts.Salvage {
				// ReadAll still reads the log up to the damage; nothing else is to be trusted.
				s.head.Store(&eventstore.Head{Seq: getU64(tx.Bucket(bucketMeta).Get(keySeq))})
				s.indexErr = err
				return nil
			}
			if err != nil {
				return err
			}
			if indexed := getU64(tx.Bucket(bucketMeta).Get(keyIndexed)); existed && (stats.ids != indexed || stats.revs != indexed) {
				return damaged(s.path, "the secondary indexes", "the ids index holds %d entries and the revs index %d, but each must hold the %d events up to seq %d",
					stats.ids, stats.revs, indexed, indexed)
			}
			err = s.rebuildTail(tx)
			if err != nil && opts.Salvage {
				// The global log still reads up to the damage; reads that go through the
				// secondary indexes report it.
				s.indexErr = err
				return nil
			}
			return err
		})
	}
	if err != nil {
		db.Close()
		var d *eventstore.DamageError
		if errors.As(err, &d) {
			return nil, err
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if opts.ReadOnly {
		close(s.loopDone)
		return s, nil
	}
	s.zero = newZeroAhead(path)
	go s.commitLoop()
	return s, nil
}

var allBuckets = [][]byte{bucketEvents, bucketRevs, bucketIDs, bucketMeta}

// checkBuckets checks that the file holds the store's four buckets, perhaps the checkpoints bucket
// (bucketCheckpoints), and nothing else.
func (s *Store) checkBuckets(tx *bbolt.Tx) error {
	n := 0
	err := tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if string(name) == string(bucketCheckpoints) {
			return nil
		}
		n++
		if !slices.ContainsFunc(allBuckets, func(b []byte) bool { return string(b) == string(name) }) {
			return damaged(s.path, "the root bucket", "it holds a bucket %q this store never writes", name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			return damaged(s.path, "the root bucket", "the %q bucket is missing", b)
		}
	}
	if n != len(allBuckets) {
		return damaged(s.path, "the root bucket", "it holds %d entries, want %d buckets", n, len(allBuckets))
	}
	return nil
}

// readHead reads the log's end from the meta record and checks it against the events bucket: the
// event the meta record names is there, decodes, and is the last.
func (s *Store) readHead(tx *bbolt.Tx) (eventstore.Head, error) {
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get(keySeq); v != nil && len(v) != 8 {
		return eventstore.Head{}, damaged(s.path, "the meta record", "the last seq is %d bytes, want 8", len(v))
	}
	seq := getU64(meta.Get(keySeq))
	lastKey, _ := tx.Bucket(bucketEvents).Cursor().Last()
	switch {
	case seq == 0 && lastKey == nil:
		return eventstore.Head{}, nil
	case lastKey == nil || len(lastKey) != 8:
		return eventstore.Head{}, damaged(s.path, fmt.Sprintf("event seq %d", seq), "the last event is missing (the meta record says the log ends there)")
	case getU64(lastKey) < seq:
		return eventstore.Head{}, damaged(s.path, fmt.Sprintf("event seq %d", seq),
			"the log ends at seq %d, but the meta record says it ends at seq %d: the last events are missing", getU64(lastKey), seq)
	case getU64(lastKey) > seq:
		return eventstore.Head{}, damaged(s.path, fmt.Sprintf("event seq %d", getU64(lastKey)),
			"the log holds events up to seq %d, past the end the meta record names (seq %d)", getU64(lastKey), seq)
	}
	e, err := s.decodeAt(seq, tx.Bucket(bucketEvents).Get(u64(seq)), nil)
	if err != nil {
		return eventstore.Head{}, err
	}
	return eventstore.Head{Seq: seq, RecordedAt: e.RecordedAt, Hash: e.Hash}, nil
}

// decodeAt decodes the stored event at seq, checking that it says it is that seq; damage is a
// *eventstore.DamageError naming the event.
func (s *Store) decodeAt(seq uint64, raw []byte, sh *shared) (eventstore.Event, error) {
	at := func() string { return fmt.Sprintf("event seq %d", seq) } // only on damage: reads run per event
	if raw == nil {
		return eventstore.Event{}, damaged(s.path, at(), "the event is missing")
	}
	e, err := decodeEvent(raw, sh)
	if err != nil {
		return eventstore.Event{}, damaged(s.path, at(), "the record does not decode (%v)", errors.Unwrap(err))
	}
	if e.Seq != seq {
		return eventstore.Event{}, damaged(s.path, at(), "the record stored there says it is seq %d", e.Seq)
	}
	return e, nil
}

// decodeRev decodes the event the revs index names for revision rev of stream, at seq, and checks it
// is that event: an index edited alone (an entry pointed at another event, with counts kept) must not
// change what a read answers, what an append chains to or which tokens a server loads. A mismatch is
// a *eventstore.DamageError naming the index entry and what the event says.
func (s *Store) decodeRev(tx *bbolt.Tx, stream string, rev, seq uint64) (eventstore.Event, error) {
	e, err := s.decodeAt(seq, tx.Bucket(bucketEvents).Get(u64(seq)), nil)
	if err != nil {
		return eventstore.Event{}, err
	}
	if e.Stream != stream || e.Revision != rev {
		return eventstore.Event{}, damaged(s.path, "the revs index",
			"it names seq %d for stream %q at revision %d, but that event is stream %q at revision %d", seq, stream, rev, e.Stream, e.Revision)
	}
	return e, nil
}

// decodeID decodes the event the ids index names for id, at seq, and checks it has that id; a
// mismatch is a *eventstore.DamageError (see decodeRev).
func (s *Store) decodeID(tx *bbolt.Tx, id uuid.UUID, seq uint64) (eventstore.Event, error) {
	e, err := s.decodeAt(seq, tx.Bucket(bucketEvents).Get(u64(seq)), nil)
	if err != nil {
		return eventstore.Event{}, err
	}
	if e.ID != id {
		return eventstore.Event{}, damaged(s.path, "the ids index", "it names seq %d for event %s, but that event is %s", seq, id, e.ID)
	}
	return e, nil
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func revKey(stream string, rev uint64) []byte {
	k := make([]byte, 0, len(stream)+9)
	k = append(k, stream...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, rev)
}

// Append implements eventstore.Store. It returns after the commit holding the events is synced.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	if s.opts.ReadOnly {
		return nil, fmt.Errorf("append to %s: %w", stream, ErrReadOnly)
	}
	s.inflight.Add(1)
	defer s.leave()
	prepared, err := eventstore.PrepareAppend(stream, events)
	if err != nil {
		return nil, err
	}
	req := &appendReq{ctx: ctx, stream: stream, expected: expected, events: prepared, done: make(chan appendResp, 1)}
	s.enqueue.Lock()
	select {
	case <-s.closing:
		s.enqueue.Unlock()
		return nil, eventstore.ErrClosed
	case <-ctx.Done():
		s.enqueue.Unlock()
		return nil, ctx.Err()
	case s.reqs <- req:
	}
	s.enqueue.Unlock()
	// Once queued the append is answered even if ctx ends: the caller must learn whether it landed.
	select {
	case r := <-req.done:
		return r.events, r.err
	case <-s.loopDone:
		select {
		case r := <-req.done:
			return r.events, r.err
		default:
			return nil, eventstore.ErrClosed
		}
	}
}

// commitLoop takes whatever appends are queued (waiting up to gatherFor for those already on their
// way), commits them in one transaction with one fsync, and answers them; then it starts again with
// what queued meanwhile.
func (s *Store) commitLoop() {
	defer close(s.loopDone)
	commits := 0
	for {
		var batch []*appendReq
		select {
		case <-s.closing:
			s.failQueued()
			return
		case r := <-s.reqs:
			batch = append(batch, r)
		}
		deadline := time.Now().Add(gatherFor)
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				wait := time.Until(deadline)
				if int64(len(batch)) >= s.inflight.Load() || wait <= 0 {
					break drain
				}
				t := time.NewTimer(wait)
				select {
				case r := <-s.reqs:
					batch = append(batch, r)
				case <-s.left:
				case <-t.C:
				}
				t.Stop()
			}
		}
		s.commit(batch)
		if commits++; commits%zeroEvery == 0 {
			s.zeroAhead()
		}
	}
}

// zeroEvery is how many commits go between two looks at the file's used size (a read transaction, a
// sizeable part of a small commit's cost): a commit uses tens of KiB, and zeroAhead keeps at least
// 512 KiB of zeros ahead, so a look every 8 commits still keeps commits out of holes.
const zeroEvery = 8

// zeroAhead keeps written zeros ahead of the file's used pages (see zeroAhead in zero.go). It is an
// optimisation only: on any error it stops.
func (s *Store) zeroAhead() {
	if s.zero == nil {
		return
	}
	var used int64
	if err := s.view(func(tx *bbolt.Tx) error { used = tx.Size(); return nil }); err != nil {
		return
	}
	if err := s.zero.ensure(used); err != nil {
		s.zero.close()
		s.zero = nil
	}
}

// leave is called as an append returns: it no longer counts as in flight, and a commit loop waiting
// for the appends in flight to queue looks again.
func (s *Store) leave() {
	s.inflight.Add(-1)
	select {
	case s.left <- struct{}{}:
	default:
	}
}

func (s *Store) failQueued() {
	for {
		select {
		case r := <-s.reqs:
			r.done <- appendResp{err: eventstore.ErrClosed}
		default:
			return
		}
	}
}

func (s *Store) commit(batch []*appendReq) {
	resps := make([]appendResp, len(batch))
	appended := 0
	var newHead eventstore.Head
	w := &writer{s: s, now: s.opts.Now, tail: s.tail}
	flushed := false
	err := s.update(func(tx *bbolt.Tx) error {
		w.reset(tx, *s.head.Load())
		flushed = false
		for i, r := range batch {
			if r.group != nil && r.group.failed {
				resps[i] = appendResp{err: errEarlierFailed}
				continue
			}
			if err := r.ctx.Err(); err != nil {
				resps[i] = appendResp{err: err}
				r.group.fail()
				continue
			}
			evs, n, err := w.apply(r)
			if err != nil && !isRefusal(err) {
				return err // a storage failure fails the whole batch
			}
			if err != nil {
				r.group.fail()
			}
			resps[i] = appendResp{events: evs, err: err}
			appended += n
		}
		newHead = w.head
		if appended > 0 {
			meta := tx.Bucket(bucketMeta)
			if err := meta.Put(keySeq, u64(w.head.Seq)); err != nil {
				return err
			}
			if err := meta.Put(keyRecordedAt, u64(uint64(w.lastRec))); err != nil {
				return err
			}
		}
		if s.tail.n+len(w.batch) >= s.opts.flushAt {
			flushed = true
			return flushTail(tx, s.tail, w.batch, newHead.Seq)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("commit: %w", err)
		for _, r := range batch {
			r.group.fail()
			r.done <- appendResp{err: err}
		}
		return
	}
	s.syncs.Add(1)
	if s.opts.afterSync != nil {
		s.opts.afterSync(appended)
	}
	s.tail.mu.Lock()
	if flushed {
		s.tail.clearFlushed()
		for _, e := range w.batch {
			s.tail.heads[e.stream] = streamHead{rev: e.rev, hash: e.hash}
		}
	} else {
		s.tail.add(w.batch)
	}
	for stream, h := range w.heads {
		if _, ok := s.tail.heads[stream]; !ok {
			s.tail.heads[stream] = h
		}
	}
	s.tail.mu.Unlock()
	if appended > 0 {
		s.head.Store(&newHead)
		s.mu.Lock()
		close(s.notify)
		s.notify = make(chan struct{})
		s.mu.Unlock()
	}
	for i, r := range batch {
		r.done <- resps[i]
	}
}

// appendGroup ties the appends of one AppendBatch: once one of them fails, the ones after it are not
// applied. Only the commit loop touches it.
type appendGroup struct{ failed bool }

// fail marks the group failed (nothing for an Append, whose group is nil).
func (g *appendGroup) fail() {
	if g != nil {
		g.failed = true
	}
}

// errEarlierFailed answers the appends of a batch after the one that failed.
var errEarlierFailed = errors.New("not appended: an earlier append of its batch failed")

// AppendBatch implements eventstore.BatchAppender. The appends are queued together, in order, so they
// take consecutive places in the log and share commits (one transaction and one fsync for up to 4096
// appends) rather than one commit each: copying a ledger of many interleaved streams is one append
// per run of a stream. Each append is judged as Append judges it; once one fails, the ones after it
// are not applied. It returns after the commits holding them are synced.
func (s *Store) AppendBatch(ctx context.Context, appends []eventstore.StreamAppend) ([][]eventstore.Event, error) {
	if s.opts.ReadOnly {
		return nil, fmt.Errorf("append: %w", ErrReadOnly)
	}
	n := int64(len(appends))
	s.inflight.Add(n) // the commit loop gathers until every queued append of the batch is in
	defer func() {
		s.inflight.Add(-n)
		select {
		case s.left <- struct{}{}:
		default:
		}
	}()
	group := &appendGroup{}
	reqs := make([]*appendReq, len(appends))
	for i, a := range appends {
		prepared, err := eventstore.PrepareAppend(a.Stream, a.Events)
		if err != nil {
			return nil, err
		}
		reqs[i] = &appendReq{ctx: ctx, group: group, stream: a.Stream, expected: a.Expected, events: prepared, done: make(chan appendResp, 1)}
	}
	queued := 0
	var qerr error
	s.enqueue.Lock()
	for _, req := range reqs {
		select {
		case <-s.closing:
			qerr = eventstore.ErrClosed
		case <-ctx.Done():
			qerr = ctx.Err()
		case s.reqs <- req:
			queued++
			continue
		}
		break
	}
	s.enqueue.Unlock()
	// Every queued append is answered, even if ctx ends: the caller must learn what landed.
	out := make([][]eventstore.Event, 0, queued)
	var first error
	for _, req := range reqs[:queued] {
		var r appendResp
		select {
		case r = <-req.done:
		case <-s.loopDone:
			select {
			case r = <-req.done:
			default:
				r = appendResp{err: eventstore.ErrClosed}
			}
		}
		if first == nil && r.err != nil {
			first = r.err
		}
		if first == nil {
			out = append(out, r.events)
		}
	}
	if first == nil {
		first = qerr
	}
	return out, first
}

// isRefusal tells a per-append refusal (answered to that caller alone) from a storage failure.
func isRefusal(err error) bool {
	return errors.Is(err, eventstore.ErrConflict) || errors.Is(err, eventstore.ErrInvalidEvent)
}

// writer applies appends inside one read-write transaction.
type writer struct {
	s     *Store
	tx    *bbolt.Tx
	now   func() time.Time
	tail  *tail
	batch []indexEntry          // this batch's index entries, added to the tail after commit
	heads map[string]streamHead // stream heads this batch looked up or changed
	ids   map[uuid.UUID]uint64  // ids this batch appended

	head    eventstore.Head // the log's last event, including this batch's
	lastRec int64           // the largest recorded_at so far (Unix ns): defaulted ones never go below it
}

// reset readies the writer for a (re)try of the batch's transaction.
func (w *writer) reset(tx *bbolt.Tx, head eventstore.Head) {
	w.tx, w.batch, w.heads, w.ids = tx, w.batch[:0], map[string]streamHead{}, map[uuid.UUID]uint64{}
	w.head, w.lastRec = head, int64(getU64(tx.Bucket(bucketMeta).Get(keyRecordedAt)))
}

// lookupID returns the seq of an event id: this batch, the tail, then the ids bucket.
func (w *writer) lookupID(id uuid.UUID) (uint64, bool) {
	if seq, ok := w.ids[id]; ok {
		return seq, true
	}
	if seq, ok := w.tail.ids[id]; ok {
		return seq, true
	}
	if v := w.tx.Bucket(bucketIDs).Get(id[:]); v != nil {
		return getU64(v), true
	}
	return 0, false
}

// streamHead returns a stream's last revision and hash: this batch, the cache, then the index.
func (w *writer) streamHead(stream string) (streamHead, bool, error) {
	if h, ok := w.heads[stream]; ok {
		return h, true, nil
	}
	if h, ok := w.tail.heads[stream]; ok {
		return h, true, nil
	}
	rev, seq, ok, err := lastIndexed(w.tx, stream)
	if !ok || err != nil {
		return streamHead{}, false, err
	}
	e, err := w.s.decodeRev(w.tx, stream, rev, seq)
	if err != nil {
		return streamHead{}, false, err
	}
	h := streamHead{rev: rev, hash: e.Hash}
	w.heads[stream] = h
	return h, true, nil
}

// apply checks one append against the state in the transaction (which includes the batch's earlier
// appends) and writes it only if every check passes, so a refused append leaves nothing behind.
func (w *writer) apply(r *appendReq) ([]eventstore.Event, int, error) {
	events := w.tx.Bucket(bucketEvents)
	// Keys only ever grow: fill pages completely instead of splitting them half full.
	events.FillPercent = 1.0

	// Idempotency: ids that already exist.
	var stored []eventstore.Event
	for _, e := range r.events {
		seq, found := w.lookupID(e.ID)
		if !found {
			continue
		}
		old, err := w.s.decodeID(w.tx, e.ID, seq)
		if err != nil {
			return nil, 0, err
		}
		if !eventstore.SameContent(old, e) {
			return nil, 0, &eventstore.DuplicateIDError{ID: e.ID, Stream: old.Stream}
		}
		stored = append(stored, old)
	}
	if len(stored) == len(r.events) && len(stored) > 0 {
		return stored, 0, nil
	}
	if len(stored) > 0 {
		return nil, 0, &eventstore.DuplicateIDError{ID: stored[0].ID, Stream: stored[0].Stream}
	}

	// The stream's head: its last revision and that event's hash.
	head, exists, err := w.streamHead(r.stream)
	if err != nil {
		return nil, 0, err
	}
	last, prev := head.rev, head.hash
	if err := r.expected.Check(r.stream, last, exists); err != nil {
		return nil, 0, err
	}
	if len(r.events) == 0 {
		return nil, 0, nil
	}

	seq, lastRec := w.head.Seq, w.lastRec
	now := w.now().UTC().Round(0)
	if now.UnixNano() < lastRec {
		now = time.Unix(0, lastRec).UTC() // recorded_at never goes back along seq
	}
	running := lastRec // recorded_at along the batch: an explicit one must not go below it
	for _, e := range r.events {
		if e.RecordedAt.IsZero() {
			running = max(running, now.UnixNano())
		} else if e.RecordedAt.UnixNano() < running {
			return nil, 0, eventstore.RecordedAtBeforeError(e.ID, e.RecordedAt, time.Unix(0, running))
		} else {
			running = e.RecordedAt.UnixNano()
		}
	}
	rev := uint64(0)
	if exists {
		rev = last + 1
	}
	out := make([]eventstore.Event, len(r.events))
	for i, e := range r.events {
		seq++
		e.Seq, e.Revision = seq, rev
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
			if now.UnixNano() < lastRec { // after an explicit recorded_at ahead of the clock
				e.RecordedAt = time.Unix(0, lastRec).UTC()
			}
		}
		e = eventstore.Seal(e, prev)
		if err := events.Put(u64(seq), encodeEvent(e)); err != nil {
			return nil, 0, err
		}
		w.batch = append(w.batch, indexEntry{stream: r.stream, rev: rev, seq: seq, id: e.ID, hash: e.Hash})
		w.ids[e.ID] = seq
		if n := e.RecordedAt.UnixNano(); n > lastRec {
			lastRec = n
		}
		out[i] = e
		prev = e.Hash
		rev++
	}
	w.heads[r.stream] = streamHead{rev: rev - 1, hash: prev}
	end := out[len(out)-1]
	w.head = eventstore.Head{Seq: end.Seq, RecordedAt: end.RecordedAt, Hash: end.Hash}
	w.lastRec = lastRec
	return out, len(out), nil
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(eventstore.Event{}, err)
			return
		}
		// The revisions [lo, hi) the cursor, direction and limit ask for.
		const none = ^uint64(0)
		rev, set := from.Revision()
		lo, hi := uint64(0), none
		if dir == eventstore.Forward {
			if set {
				if rev == none {
					return
				}
				lo = rev + 1
			}
			if limit > 0 && lo <= none-uint64(limit) {
				hi = lo + uint64(limit)
			}
		} else {
			if set {
				hi = rev
			} else {
				last, ok, err := s.lastRevision(stream)
				if err != nil {
					yield(eventstore.Event{}, fmt.Errorf("read %s: %w", stream, err))
					return
				}
				if !ok {
					return
				}
				hi = last + 1
			}
			if limit > 0 && hi > uint64(limit) {
				lo = hi - uint64(limit)
			}
		}
		want, err := s.streamSeqs(stream, lo, hi)
		if err != nil {
			yield(eventstore.Event{}, fmt.Errorf("read %s: %w", stream, err))
			return
		}
		for len(want) > 0 {
			if err := ctx.Err(); err != nil {
				yield(eventstore.Event{}, err)
				return
			}
			n := min(readChunk, len(want))
			var chunk []revSeq
			if dir == eventstore.Forward {
				chunk, want = want[:n], want[n:]
			} else {
				chunk, want = slices.Clone(want[len(want)-n:]), want[:len(want)-n]
				slices.Reverse(chunk)
			}
			events, err := s.readIndexed(stream, chunk)
			if err != nil {
				yield(eventstore.Event{}, fmt.Errorf("read %s: %w", stream, err))
				return
			}
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}

// lastRevision returns a stream's last revision, and false when it has no events.
func (s *Store) lastRevision(stream string) (uint64, bool, error) {
	if s.indexErr != nil {
		return 0, false, s.indexErr
	}
	s.tail.mu.RLock()
	ts := s.tail.streams[stream]
	if ts != nil {
		last := ts.first + uint64(len(ts.seqs)) - 1
		s.tail.mu.RUnlock()
		return last, true, nil
	}
	s.tail.mu.RUnlock()
	var last uint64
	var ok bool
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		last, _, ok, err = lastIndexed(tx, stream)
		return err
	})
	return last, ok, err
}

// streamSeqs returns the index entries of a stream's revisions in [lo, hi), in order: from the
// persisted index, then from the tail's newer entries. The tail is read first: a flush that lands in
// between puts entries in both, and they are taken once.
func (s *Store) streamSeqs(stream string, lo, hi uint64) ([]revSeq, error) {
	if s.indexErr != nil {
		return nil, s.indexErr
	}
	s.tail.mu.RLock()
	var first uint64
	var tailSeqs []uint64
	if ts := s.tail.streams[stream]; ts != nil && ts.first+uint64(len(ts.seqs)) > lo && ts.first < hi {
		a, b := max(lo, ts.first)-ts.first, min(hi, ts.first+uint64(len(ts.seqs)))-ts.first
		first, tailSeqs = ts.first+a, slices.Clone(ts.seqs[a:b])
	}
	s.tail.mu.RUnlock()
	var seqs []revSeq
	next := lo // the revision the next seq stands for
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		seqs, next, err = indexedSeqs(tx, stream, lo, hi, seqs)
		return err
	})
	if err != nil {
		return nil, err
	}
	if first <= next && next-first < uint64(len(tailSeqs)) {
		for i, seq := range tailSeqs[next-first:] {
			seqs = append(seqs, revSeq{rev: next + uint64(i), seq: seq})
		}
	}
	return seqs, nil
}

// readIndexed reads the events the index names for stream, in that order, in one read transaction,
// each checked to be the event its entry promises (decodeRev).
func (s *Store) readIndexed(stream string, entries []revSeq) ([]eventstore.Event, error) {
	out := make([]eventstore.Event, 0, len(entries))
	err := s.view(func(tx *bbolt.Tx) error {
		for _, r := range entries {
			e, err := s.decodeRev(tx, stream, r.rev, r.seq)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		returned := 0
		var chunk []eventstore.Event // one buffer for every read: events are yielded by value
		var sh shared
		next := afterSeq + 1 // forwards: the next seq to read
		if dir == eventstore.Backward {
			if afterSeq == 0 {
				next = s.head.Load().Seq
			} else {
				next = afterSeq - 1
			}
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(eventstore.Event{}, err)
				return
			}
			want := readChunk
			if limit > 0 {
				want = min(want, limit-returned)
			}
			head := s.head.Load().Seq // before the read: the read's snapshot holds at least this
			var err error
			chunk, err = s.readSeqs(next, dir, want, chunk, &sh)
			if err == nil && dir == eventstore.Forward && len(chunk) < want {
				// The log must reach the head the meta record names (a store opened for Salvage
				// whose last events are missing reads short).
				end := next - 1
				if len(chunk) > 0 {
					end = chunk[len(chunk)-1].Seq
				}
				if end < head {
					err = damaged(s.path, fmt.Sprintf("event seq %d", end+1), "the event is missing (the meta record says the log ends at seq %d)", head)
				}
			}
			for _, e := range chunk { // on an error, the events before it
				if !yield(e, nil) {
					return
				}
				returned++
			}
			if err != nil {
				yield(eventstore.Event{}, fmt.Errorf("read all: %w", err))
				return
			}
			if len(chunk) < want || (limit > 0 && returned >= limit) {
				return
			}
			last := chunk[len(chunk)-1].Seq
			if dir == eventstore.Forward {
				next = last + 1
			} else {
				if last <= 1 {
					return
				}
				next = last - 1
			}
		}
	}
}

// readSeqs reads up to n events starting at seq from (inclusive) in one read transaction, into buf's
// memory when it has room (buf's elements are overwritten), sharing strings through sh. On an error
// it also returns the events read before it.
func (s *Store) readSeqs(from uint64, dir eventstore.Direction, n int, buf []eventstore.Event, sh *shared) ([]eventstore.Event, error) {
	if from == 0 || n <= 0 {
		return nil, nil
	}
	chunk := buf[:0]
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		k, v := c.Seek(u64(from))
		if dir == eventstore.Backward && (k == nil || getU64(k) != from) {
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		}
		for k != nil && len(chunk) < n {
			if len(k) != 8 {
				return damaged(s.path, "the events bucket", "a key of %d bytes", len(k))
			}
			if want := from + uint64(len(chunk)); dir == eventstore.Forward && getU64(k) != want {
				return damaged(s.path, fmt.Sprintf("event seq %d", want), "the event is missing (the log goes on at seq %d)", getU64(k))
			}
			e, err := s.decodeAt(getU64(k), v, sh)
			if err != nil {
				return err
			}
			chunk = append(chunk, e)
			if dir == eventstore.Forward {
				k, v = c.Next()
			} else {
				k, v = c.Prev()
			}
		}
		return nil
	})
	return chunk, err
}

// SubscribeAll implements eventstore.Store.
func (s *Store) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		last := afterSeq
		var chunk []eventstore.Event // one buffer for every read: events are yielded by value
		var sh shared
		for {
			// Take the notification channel before reading, so a commit between the read and the
			// wait is not missed.
			s.mu.Lock()
			wake := s.notify
			s.mu.Unlock()
			if err := ctx.Err(); err != nil {
				yield(eventstore.Event{}, err)
				return
			}
			var err error
			chunk, err = s.readSeqs(last+1, eventstore.Forward, readChunk, chunk, &sh)
			for _, e := range chunk { // on an error, the events before it
				if !yield(e, nil) {
					return
				}
				last = e.Seq
			}
			if err != nil {
				yield(eventstore.Event{}, fmt.Errorf("subscribe: %w", err))
				return
			}
			if len(chunk) == readChunk {
				continue
			}
			select {
			case <-ctx.Done():
				yield(eventstore.Event{}, ctx.Err())
				return
			case <-s.closing:
				yield(eventstore.Event{}, eventstore.ErrClosed)
				return
			case <-wake:
			}
		}
	}
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Head, error) {
	if err := ctx.Err(); err != nil {
		return eventstore.Head{}, err
	}
	select {
	case <-s.closing:
		return eventstore.Head{}, eventstore.ErrClosed
	default:
	}
	return *s.head.Load(), nil
}

// EventByID returns the stored event with the given id, or an error matching eventstore.ErrNotFound.
// Safe for concurrent use.
func (s *Store) EventByID(ctx context.Context, id uuid.UUID) (eventstore.Event, error) {
	if s.indexErr != nil {
		return eventstore.Event{}, s.indexErr
	}
	s.tail.mu.RLock()
	seq, inTail := s.tail.ids[id]
	s.tail.mu.RUnlock()
	var e eventstore.Event
	err := s.view(func(tx *bbolt.Tx) error {
		if !inTail {
			v := tx.Bucket(bucketIDs).Get(id[:])
			if v == nil {
				return fmt.Errorf("event %s: %w", id, eventstore.ErrNotFound)
			}
			seq = getU64(v)
		}
		var err error
		e, err = s.decodeID(tx, id, seq)
		return err
	})
	return e, err
}

// Backup writes a consistent copy of the whole database file to w while appends go on (one read
// transaction), and returns the bytes written. The copy opens as a Store. Safe for concurrent use.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.view(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Syncs returns how many commits the store has synced to disk since Open.
func (s *Store) Syncs() uint64 { return s.syncs.Load() }

// view runs fn in a read transaction, guarded: a fault on the mapped file or a panic of bbolt's on
// damaged bytes is a *eventstore.DamageError.
func (s *Store) view(fn func(*bbolt.Tx) error) error {
	select {
	case <-s.closing:
		return eventstore.ErrClosed
	default:
	}
	return guarded(s.path, "a page read", func() error { return s.db.View(fn) })
}

// update runs fn in a read-write transaction, guarded as view is.
func (s *Store) update(fn func(*bbolt.Tx) error) error {
	return guarded(s.path, "a page written", func() error { return s.db.Update(fn) })
}

// Close stops the commit loop (appends still queued fail with ErrClosed) and closes the file. It is
// safe to call more than once.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.loopDone
		if s.zero != nil {
			s.zero.close()
		}
		err = s.db.Close()
	})
	return err
}
