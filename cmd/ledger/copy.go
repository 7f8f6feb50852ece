package main

import (
	"errors"
	"fmt"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
)

// copyProgress shows the phases of a ledger copy (audit.Copy, behind import and migrate) on stderr,
// one progress report per phase, as gen shows its own.
type copyProgressReport struct {
	a     *app
	phase audit.CopyPhase
	p     *progress
	n     uint64
}

// copyProgress starts the progress report of a copy: pass its update as audit.CopyOptions.Progress
// and call done when the copy returns.
func (a *app) copyProgress() *copyProgressReport { return &copyProgressReport{a: a} }

// copyProgressHook, when set (by a test), is called with every progress report of a copy.
var copyProgressHook func(phase audit.CopyPhase, done, total uint64)

func (c *copyProgressReport) update(phase audit.CopyPhase, done, total uint64) {
	if copyProgressHook != nil {
		copyProgressHook(phase, done, total)
	}
	if phase != c.phase {
		c.done()
		c.phase, c.p = phase, c.a.newProgress(string(phase), total)
	}
	c.p.total, c.n = total, done
	c.p.Update(done)
}

// done ends the report of the current phase.
func (c *copyProgressReport) done() {
	if c.p != nil {
		c.p.Done(c.n)
		c.p = nil
	}
}

// copied says what a copy wrote: "N events in S streams", and what the target held before.
func copied(rep audit.CopyReport) string {
	s := fmt.Sprintf("%d events in %d streams", rep.Events, rep.Streams)
	switch {
	case rep.Resumed > 0 && rep.Copied == 0:
		s += fmt.Sprintf(" (the target held all %d already: nothing was written)", rep.Resumed)
	case rep.Resumed > 0:
		s += fmt.Sprintf(" (the target held the first %d already: %d written now)", rep.Resumed, rep.Copied)
	}
	return s
}

// copyError is the one line for a copy (import, migrate) that failed: "CMD: WHAT was refused and
// nothing was written: why". A target holding other events, an event too large for the target and a
// malformed export are bad input (exit 2); a source that does not verify is exit 1, as verify; each
// says whether anything was written and kept. removed is the new bolt file the command created and
// removed again (writeStore.Discard): what was written to it is gone, and running the command again
// starts from the beginning; a target that existed before keeps what was written, and the same
// command resumes there.
func copyError(cmd, what string, rep audit.CopyReport, err error, removed string) error {
	written := "nothing was written"
	switch {
	case rep.Copied > 0 && removed != "":
		written = fmt.Sprintf("nothing was kept (the %d events written went with the new file %s, which was removed; the same command starts again from the beginning)", rep.Copied, removed)
	case rep.Copied > 0:
		written = fmt.Sprintf("%d events were written (run the same command again to resume)", rep.Copied)
	}
	switch {
	case errors.Is(err, audit.ErrStoreNotEmpty), errors.Is(err, eventstore.ErrTooLarge), errors.Is(err, audit.ErrBadExport):
		return usageErrorf("%s: %s was refused and %s: %v", cmd, what, written, err)
	case errors.Is(err, audit.ErrTampered):
		return &exitError{code: 1, err: fmt.Errorf("%s: %s was refused and %s: %w", cmd, what, written, err)}
	}
	return fmt.Errorf("%s: %s failed and %s: %w", cmd, what, written, err)
}
