package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress reports the advance of long work on stderr: a redrawn bar on a terminal, a plain line
// every few seconds otherwise. total may be 0 when unknown. Call done once at the end.
type progress struct {
	w       io.Writer
	label   string
	total   uint64
	tty     bool
	start   time.Time
	last    time.Time
	now     func() time.Time
	printed bool
}

// newProgress starts a progress report for a.stderr.
func (a *app) newProgress(label string, total uint64) *progress {
	now := time.Now()
	return &progress{w: a.stderr, label: label, total: total, tty: isTerminal(a.stderr), now: time.Now, start: now, last: now}
}

// Update reports that n items are done. It is cheap enough to call per item.
func (p *progress) Update(n uint64) {
	t := p.now()
	every := 5 * time.Second
	if p.tty {
		every = 100 * time.Millisecond
	}
	if t.Sub(p.last) < every {
		return
	}
	p.last = t
	p.draw(n, false)
}

// Done prints the final count.
func (p *progress) Done(n uint64) {
	if p.printed || p.tty {
		p.draw(n, true)
	}
}

func (p *progress) draw(n uint64, final bool) {
	p.printed = true
	rate := float64(n) / max(p.now().Sub(p.start).Seconds(), 1e-9)
	if !p.tty && p.total == 0 {
		fmt.Fprintf(p.w, "%s: %d (%.0f/s)\n", p.label, n, rate)
		return
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %d/%d (%.0f/s)\n", p.label, n, p.total, rate)
		return
	}
	const width = 30
	bar := ""
	if p.total > 0 {
		filled := int(min(n, p.total) * width / p.total)
		for i := range width {
			if i < filled {
				bar += "█"
			} else {
				bar += "░"
			}
		}
		fmt.Fprintf(p.w, "\r%s %s %d/%d (%.0f/s)", p.label, bar, n, p.total, rate)
	} else {
		fmt.Fprintf(p.w, "\r%s %d (%.0f/s)", p.label, n, rate)
	}
	if final {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a character device (a terminal), not a file or pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
