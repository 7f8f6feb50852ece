package bolt

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.etcd.io/bbolt"

	"github.com/partnership-ledger/ledger/eventstore"
)

// damaged returns the *eventstore.DamageError for a store file whose bytes do not hold a sound
// ledger: a file empty or cut short into its used pages, a page or meta page that does not check, a
// missing or undecodable record, an index that disagrees with the events. at says where in the file
// ("page 12 (byte 49152)", "event seq 812", "the revs index"). Its message is one line for the person
// at the terminal: "the store is damaged at AT of FILE: WHAT; restore the file from a backup".
func damaged(path, at, format string, args ...any) *eventstore.DamageError {
	return &eventstore.DamageError{Where: at + " of " + path, Reason: fmt.Sprintf(format, args...) + "; restore the file from a backup"}
}

// guarded runs fn, which reads the mapped file, turning a fault on the mapping (a file truncated or
// unreadable under it: SIGBUS/SIGSEGV) or a panic of bbolt's on bytes it cannot make sense of into a
// *eventstore.DamageError instead of a crash. It relies on debug.SetPanicOnFault, which covers the calling
// goroutine only: fn must not read the mapping on other goroutines.
func guarded(path, at string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = damaged(path, at, "reading it failed (%v)", r)
		}
	}()
	return fn()
}

// OpenChecked opens the existing bbolt file at path for a user of bbolt other than Store (the
// witness's state): the file is first checked as Open checks a store's (checkFile: an empty file,
// meta pages, every reachable page's bounds and structure, the free list), then opened with opts
// under guarded, so damage is a *eventstore.DamageError (matching eventstore.ErrCorrupt) and never a
// crash. Another process holding the file past opts.Timeout is an error matching
// eventstore.ErrLocked; a missing file one matching fs.ErrNotExist. A Store's own checks (its
// buckets, its meta record, its indexes) are not made: the caller checks its own buckets.
func OpenChecked(path string, opts *bbolt.Options) (*bbolt.DB, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	if _, err := checkFile(path, timeout); err != nil {
		return nil, err
	}
	var db *bbolt.DB
	err := guarded(path, "a page", func() error {
		var err error
		db, err = bbolt.Open(path, 0o600, opts)
		return err
	})
	if errors.Is(err, bbolt.ErrTimeout) {
		return nil, lockedError(path)
	}
	return db, err
}
