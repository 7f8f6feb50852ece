package bolt

import (
	"fmt"
	"runtime/debug"

	"github.com/partnership-ledger/ledger/eventstore"
)

// DamagedError reports a store file whose bytes do not hold a sound ledger: a file that is empty or
// truncated into its used pages, a page or meta page that does not check, a missing or undecodable
// record, or an index that disagrees with the events. It matches eventstore.ErrCorrupt.
//
// Its message is one line meant for the person at the terminal:
// "the store file FILE is damaged at WHERE: WHAT; restore it from a backup".
type DamagedError struct {
	Path   string // the file
	At     string // where, e.g. "page 12 (byte 49152)", "event seq 812", "the revs index"
	Reason string // what is wrong there
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the store file %s is damaged at %s: %s; restore it from a backup", e.Path, e.At, e.Reason)
}

// Is makes a *DamagedError match eventstore.ErrCorrupt.
func (e *DamagedError) Is(target error) bool { return target == eventstore.ErrCorrupt }

func damaged(path, at, format string, args ...any) *DamagedError {
	return &DamagedError{Path: path, At: at, Reason: fmt.Sprintf(format, args...)}
}

// guarded runs fn, which reads the mapped file, turning a fault on the mapping (a file truncated or
// unreadable under it: SIGBUS/SIGSEGV) or a panic of bbolt's on bytes it cannot make sense of into a
// *DamagedError instead of a crash. It relies on debug.SetPanicOnFault, which covers the calling
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
