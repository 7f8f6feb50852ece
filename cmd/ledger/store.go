package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
)

// openStore opens the store named by spec for a command that writes: "bolt:FILE" (or a bare path) for
// the embedded store, "esdb://..." or "kurrentdb://..." for KurrentDB. It is the one way such a command
// opens its store, so that a refused command writes nothing anywhere (issue 16): a bolt file that does
// not exist reads as an empty ledger and is created only by the command's first Append (removed again
// if that Append is refused and leaves it empty), and when the ledger is empty and its tree-signing key
// file is missing, the key is created (with a warning) once the first Append has succeeded: a key is
// made with the ledger's first events, never for a ledger that has some, and never by a refusal.
func (a *app) openStore(ctx context.Context, spec string) (*writeStore, error) {
	return a.openForWrite(ctx, spec, true)
}

// openForWrite is openStore; makeKey false makes no key (migrate --to: the source's key signs the
// target's heads).
func (a *app) openForWrite(ctx context.Context, spec string, makeKey bool) (*writeStore, error) {
	w := &writeStore{a: a, spec: spec, makeKey: makeKey, open: func() (eventstore.Store, error) { return a.open(ctx, spec, true) }}
	if path, ok := boltPath(spec); ok && path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			w.created = path // opened (and so created) by the first Append
			return w, nil
		}
	}
	s, err := w.open()
	if err != nil {
		return nil, err
	}
	w.s = s
	return w, nil
}

// openServedStore opens the store for serve and demo, which hand it to the server at once: the bolt
// file is created now, and the key of an empty ledger too (the server signs tree heads from the start).
// Both listen before they call it, so a busy port leaves nothing behind.
func (a *app) openServedStore(ctx context.Context, spec string) (eventstore.Store, error) {
	s, err := a.open(ctx, spec, true)
	if err != nil {
		return nil, err
	}
	if err := a.keyForNewLedger(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// writeStore is the store openStore returns: until its first Append, a bolt file that does not exist
// yet reads as an empty ledger; the first successful Append into an empty ledger whose key file is
// missing creates the key.
type writeStore struct {
	a       *app
	spec    string // as the user gave it
	open    func() (eventstore.Store, error)
	s       eventstore.Store // nil until a bolt file that did not exist is needed
	created string           // the bolt file that did not exist when the command started ("" otherwise)
	makeKey bool             // create a missing key after the first append into an empty ledger
	keyDone bool             // the key question is settled
	madeKey string           // the key file created after the first append ("" if none)
	closed  bool
}

// store returns the underlying store, opening (creating) a bolt file that did not exist.
func (w *writeStore) store() (eventstore.Store, error) {
	if w.closed {
		return nil, eventstore.ErrClosed
	}
	if w.s == nil {
		if _, err := os.Stat(w.created); w.created != "" && err == nil {
			w.created = "" // another process made it meanwhile: not this command's to remove
		}
		s, err := w.open()
		if err != nil {
			return nil, err
		}
		w.s = s
	}
	return w.s, nil
}

// Append appends through the underlying store (eventstore.Store.Append), creating the bolt file and
// then the key as openStore says.
func (w *writeStore) Append(ctx context.Context, stream string, expected eventstore.Expected, events ...eventstore.Event) ([]eventstore.Event, error) {
	s, err := w.store()
	if err != nil {
		return nil, err
	}
	needKey := false
	if w.makeKey && !w.keyDone {
		if needKey, err = w.a.keyMissingForEmptyLedger(ctx, s); err != nil {
			return nil, err
		}
	}
	out, err := s.Append(ctx, stream, expected, events...)
	if err != nil {
		w.removeIfEmpty(ctx)
		return nil, err
	}
	w.keyDone = true
	if needKey {
		if err := w.a.createKey(needKeyPath(w.a)); err != nil {
			return out, err
		}
		w.madeKey = needKeyPath(w.a)
	}
	return out, nil
}

// Discard undoes the command's writes when it fails part-way (an import or a migration refused after
// some appends): a bolt file this command created is closed and removed, events and all, with the key
// made for it. A store that existed before is left as it is. It returns the path of the file it
// removed, "" when it removed none.
func (w *writeStore) Discard() (removed string) {
	if w.created == "" || w.s == nil {
		return ""
	}
	if w.s.Close() == nil && os.Remove(w.created) == nil {
		removed = w.created
		if w.madeKey != "" {
			os.Remove(w.madeKey)
		}
	}
	w.s = nil
	return removed
}

// mustExist refuses a command that only changes an existing ledger (token revoke) when the bolt file
// does not exist: "no such ledger" rather than the command's own "not found".
func (w *writeStore) mustExist() error {
	if w.created != "" && w.s == nil {
		return noLedger(w.spec, w.created, "a command that changes a ledger never creates one")
	}
	return nil
}

// noLedger is the error for a bolt file that does not exist, for a command that does not create one.
func noLedger(spec, path, why string) error {
	return usageErrorf("%s: no ledger at %s (%s; check the path, or start a ledger with 'ledger seed' or 'ledger record')", spec, path, why)
}

// removeIfEmpty closes and removes the bolt file this command created when it still holds no event
// (the store refused the first Append), so that the refusal leaves no file behind.
func (w *writeStore) removeIfEmpty(ctx context.Context) {
	if w.s == nil {
		return
	}
	if head, err := w.s.Head(ctx); err == nil && head.Seq == 0 {
		w.Discard()
	}
}

// ReadStream reads through the underlying store; a bolt file not yet created holds nothing.
func (w *writeStore) ReadStream(ctx context.Context, stream string, from eventstore.Cursor, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	if w.s == nil {
		return w.none()
	}
	return w.s.ReadStream(ctx, stream, from, dir, limit)
}

// ReadAll reads through the underlying store; a bolt file not yet created holds nothing.
func (w *writeStore) ReadAll(ctx context.Context, afterSeq uint64, dir eventstore.Direction, limit int) iter.Seq2[eventstore.Event, error] {
	if w.s == nil {
		return w.none()
	}
	return w.s.ReadAll(ctx, afterSeq, dir, limit)
}

// SubscribeAll subscribes through the underlying store, creating a bolt file that did not exist (a
// subscriber waits for events to come).
func (w *writeStore) SubscribeAll(ctx context.Context, afterSeq uint64) iter.Seq2[eventstore.Event, error] {
	s, err := w.store()
	if err != nil {
		return func(yield func(eventstore.Event, error) bool) { yield(eventstore.Event{}, err) }
	}
	return s.SubscribeAll(ctx, afterSeq)
}

// Head is the underlying store's head; a bolt file not yet created is an empty ledger (zero Head).
func (w *writeStore) Head(ctx context.Context) (eventstore.Head, error) {
	if w.closed {
		return eventstore.Head{}, eventstore.ErrClosed
	}
	if w.s == nil {
		return eventstore.Head{}, nil
	}
	return w.s.Head(ctx)
}

// Close closes the underlying store, if it was opened.
func (w *writeStore) Close() error {
	if w.closed {
		return eventstore.ErrClosed
	}
	w.closed = true
	if w.s == nil {
		return nil
	}
	return w.s.Close()
}

// none is what a read of a store not yet created yields: nothing, or ErrClosed after Close.
func (w *writeStore) none() iter.Seq2[eventstore.Event, error] {
	closed := w.closed
	return func(yield func(eventstore.Event, error) bool) {
		if closed {
			yield(eventstore.Event{}, eventstore.ErrClosed)
		}
	}
}

// openExistingStore opens a store for a command that only reads: a bolt file that does not exist is a
// usage error rather than a new, empty ledger (a mistyped path must not verify as "intact: 0 events"),
// and a bolt file is opened read-only (bolt.Options.ReadOnly): a read command never changes it, and
// works on a copy the user may not write.
func (a *app) openExistingStore(ctx context.Context, spec string) (eventstore.Store, error) {
	return a.open(ctx, spec, false)
}

func (a *app) open(ctx context.Context, spec string, create bool) (eventstore.Store, error) {
	return a.openWith(ctx, spec, create, false)
}

// openWith opens a store; salvage opens a damaged bolt store read-only for 'export --salvage'
// (bolt.Options.Salvage).
func (a *app) openWith(ctx context.Context, spec string, create, salvage bool) (eventstore.Store, error) {
	orig := spec
	switch {
	case strings.HasPrefix(spec, "esdb://"), strings.HasPrefix(spec, "esdb+discover://"),
		strings.HasPrefix(spec, "kurrentdb://"), strings.HasPrefix(spec, "kurrentdb+discover://"):
		if salvage {
			return nil, usageErrorf("--salvage reads a damaged bolt file; a KurrentDB store is read with a plain export")
		}
		return a.openKurrentDB(ctx, spec)
	case strings.HasPrefix(spec, "bolt:"):
		spec = strings.TrimPrefix(spec, "bolt:")
	case strings.Contains(spec, "://"):
		return nil, usageErrorf("--store %q: unknown kind of store (want bolt:FILE or esdb://host:2113?tls=false)", spec)
	}
	if spec == "" {
		return nil, usageErrorf("--store bolt: needs a file name, e.g. bolt:ledger.db")
	}
	if !create {
		if _, err := os.Stat(spec); errors.Is(err, fs.ErrNotExist) {
			return nil, noLedger(orig, spec, "commands that only read never create one")
		}
	}
	s, err := bolt.Open(spec, bolt.Options{Now: a.now, ReadOnly: !create, Salvage: salvage})
	var damaged *eventstore.DamageError
	if errors.As(err, &damaged) {
		return nil, damaged // one line that says it all
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", spec, err)
	}
	return s, nil
}

// boltPath returns the file of a bolt store spec ("bolt:FILE" or a bare path); ok is false for
// KurrentDB.
func boltPath(spec string) (string, bool) {
	if strings.Contains(spec, "://") {
		return "", false
	}
	return strings.TrimPrefix(spec, "bolt:"), true
}

// defaultKeyFile is where the tree-signing key lives when --key-file is not given: beside a bolt
// store. KurrentDB deployments must name it explicitly (every server shares one key).
func (a *app) defaultKeyFile() (string, error) {
	if a.keyFile != "" {
		return a.keyFile, nil
	}
	spec := a.store
	if strings.Contains(spec, "://") {
		return "", usageErrorf("--key-file is required with a KurrentDB store: every ledger server must share one key")
	}
	return keyBeside(spec), nil
}

// keyBeside is the default key file of a bolt store: FILE's name with .key for its extension.
func keyBeside(spec string) string {
	path := strings.TrimPrefix(spec, "bolt:")
	return filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".key")
}

// MaxAppendBytes forwards the underlying store's eventstore.AppendLimiter (KurrentDB's maximum append
// size), so a copy into it splits its appends to fit; 0 (no limit) for a store without one.
func (w *writeStore) MaxAppendBytes() int {
	if l, ok := w.s.(eventstore.AppendLimiter); ok {
		return l.MaxAppendBytes()
	}
	return 0
}

// AppendBytes forwards the underlying store's eventstore.AppendLimiter.
func (w *writeStore) AppendBytes(e eventstore.Event) int {
	if l, ok := w.s.(eventstore.AppendLimiter); ok {
		return l.AppendBytes(e)
	}
	return len(e.Data) + len(e.Sources)
}

// AppendBatch takes the appends as eventstore.BatchAppender says: through the underlying store's
// AppendBatch (bbolt), or one Append each. The first goes through Append, which creates the bolt file
// and the key as openStore says.
func (w *writeStore) AppendBatch(ctx context.Context, appends []eventstore.StreamAppend) ([][]eventstore.Event, error) {
	out := make([][]eventstore.Event, 0, len(appends))
	for len(appends) > 0 {
		b, ok := w.s.(eventstore.BatchAppender)
		if ok && w.keyDone {
			rest, err := b.AppendBatch(ctx, appends)
			return append(out, rest...), err
		}
		a := appends[0]
		evs, err := w.Append(ctx, a.Stream, a.Expected, a.Events...)
		if err != nil {
			return out, err
		}
		out, appends = append(out, evs), appends[1:]
	}
	return out, nil
}
