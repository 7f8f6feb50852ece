package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/witness"
)

// keptCheckpointFile is the file in 'audit follow's --state DIR holding the last checkpoint it
// accepted, as the server sent it (the signed note with its cosignatures).
const keptCheckpointFile = "checkpoint"

// cmdAudit is 'ledger audit follow': an auditor's client that follows a ledger server's checkpoints.
func cmdAudit(ctx context.Context, a *app, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fs, _ := followFlags(a)
		return a.parseNoArgs(fs, args)
	}
	if len(args) == 0 || args[0] != "follow" {
		return usageErrorf("audit: want 'audit follow --server URL --key PUBKEY --state DIR' (run 'ledger help audit')")
	}
	return auditFollow(ctx, a, args[1:])
}

// followFlagValues are the flags of 'ledger audit follow' as parsed.
type followFlagValues struct {
	key, state *string
	interval   *time.Duration
	once       *bool
	quorum     func(cmd string) (witness.Quorum, error)
}

func followFlags(a *app) (*flag.FlagSet, followFlagValues) {
	fs := a.newFlags("audit")
	var v followFlagValues
	fs.String("server", "", "the ledger server `URL` to follow (required; the global flag, or LEDGER_SERVER)")
	v.key = fs.String("key", "", "the ledger's note verifier key (or public key), as 'ledger key' prints it (required)")
	v.state = fs.String("state", "", "the `DIR` where the last checkpoint seen is kept (required; created if missing)")
	v.interval = fs.Duration("interval", time.Minute, "how long to wait between two fetches of the checkpoint")
	v.once = fs.Bool("once", false, "fetch and check once, then exit (0: nothing new or a new checkpoint kept)")
	v.quorum = pinnedWitnessFlags(fs, "keep only checkpoints cosigned by")
	return fs, v
}

// pinnedWitnessFlags declares --witness VKEY (repeatable) and --quorum N, the witnesses a reader
// pins and how many must cosign (verify-pack, audit follow), and returns what reads them once
// parsed: bad input is a usage error naming the flag.
func pinnedWitnessFlags(fs *flag.FlagSet, purpose string) func(cmd string) (witness.Quorum, error) {
	vkeys := &stringList{}
	fs.Var(vkeys, "witness", purpose+" this witness: its `VKEY`, as 'ledger witness key' prints it (repeatable)")
	n := fs.Int("quorum", 0, "how many of the --witness witnesses must have cosigned (default: all of them)")
	return func(cmd string) (witness.Quorum, error) {
		// The witnesses alone first (a bad vkey, one given twice: --witness; was blamed on --quorum when
		// one was given), then the count (--quorum).
		if _, err := witness.ParseQuorum(*vkeys, 0); err != nil {
			return witness.Quorum{}, usageErrorf("%s: --witness: %s", cmd, messageOf(err))
		}
		q, err := witness.ParseQuorum(*vkeys, *n)
		if err != nil {
			flag := "quorum"
			if len(*vkeys) == 0 {
				flag = "witness" // a quorum of no witnesses: what is missing is --witness
			}
			return q, usageErrorf("%s: --%s: %s", cmd, flag, messageOf(err))
		}
		return q, nil
	}
}

// cosignedWords says which witnesses cosigned and when: "cosigned by W1 (at 2026-11-30T07:00:00Z)
// and W2 (at ...)", or "cosigned by none of the pinned witnesses".
func cosignedWords(cs []witness.Cosigned) string {
	if len(cs) == 0 {
		return "cosigned by none of the pinned witnesses"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (at %s)", c.Witness, c.Time.Format(time.RFC3339))
	}
	return "cosigned by " + strings.Join(parts, " and ")
}

// follower is one 'audit follow': the server, the pinned keys and the kept checkpoint.
type follower struct {
	a      *app
	c      *client.Client
	pin    audit.PinnedKey
	quorum witness.Quorum
	dir    string
	kept   *audit.Checkpoint
	// waiting is the checkpoint last reported as lacking its quorum, so that it is reported once.
	waiting *audit.Hash
	once    bool // --once: say what was found even when nothing is new
}

// forkError is a checkpoint that does not extend the kept one: the end of 'audit follow' (exit 1).
type forkError struct{ msg string }

func (e *forkError) Error() string { return e.msg }

// auditFollow fetches GET /checkpoint every --interval, checks that each new checkpoint verifies
// under the pinned key and extends the kept one (RFC 9162 consistency proof from GET
// /v1/audit/consistency), keeps it durably, and prints one line for it. A fork (a checkpoint of the
// kept size with another root, a smaller one, or one no proof links to the kept one) is exit 1 naming
// both; what the server fails to send is reported and asked again (with --once, exit 1).
func auditFollow(ctx context.Context, a *app, args []string) error {
	fs, v := followFlags(a)
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	const cmd = "audit follow"
	if a.server == "" {
		return usageErrorf("%s: --server URL is required: the ledger server whose checkpoints to follow", cmd)
	}
	pin, err := parseKeyFlag(cmd, *v.key)
	if err != nil {
		return err
	}
	if *v.state == "" {
		return usageErrorf("%s: --state DIR is required: where the last checkpoint seen is kept between runs", cmd)
	}
	if *v.interval <= 0 {
		return usageErrorf("%s: --interval must be a positive duration, such as 1m", cmd)
	}
	q, err := v.quorum(cmd)
	if err != nil {
		return err
	}
	c, err := a.serverClient()
	if err != nil {
		return err
	}
	f := &follower{a: a, c: c, pin: pin, quorum: q, dir: *v.state, once: *v.once}
	if err := f.load(); err != nil {
		return err
	}
	for {
		err := f.round(ctx)
		var fork *forkError
		switch {
		case errors.As(err, &fork):
			sayLine(a.stdout, "FORK: %s", fork.msg)
			return &exitError{code: 1, err: fork, silent: true}
		case *v.once:
			return err
		case err != nil && ctx.Err() == nil:
			sayLine(a.stderr, "ledger: %s: %s; asking again in %s", cmd, errMessage(err), *v.interval)
		}
		t := time.NewTimer(*v.interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// load reads the kept checkpoint, if any: one that does not verify under the pinned key is bad input
// (another ledger's state, or the wrong key).
func (f *follower) load() error {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return usageErrorf("audit follow: --state %s: %v", f.dir, err)
	}
	path := filepath.Join(f.dir, keptCheckpointFile)
	b, err := audit.ReadFileAtMost(path, eventstore.MaxCheckpointNoteBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return usageErrorf("audit follow: %s: %s", path, errMessage(err))
	}
	cp, err := audit.VerifyCheckpoint(b, f.pin)
	if err != nil {
		return usageErrorf("audit follow: %s is not a checkpoint of the ledger the pinned key signs: %s", path, errMessage(err))
	}
	f.kept = &cp
	return nil
}

// round fetches the server's checkpoint once and checks it against the kept one.
func (f *follower) round(ctx context.Context) error {
	text, err := f.c.Checkpoint(ctx)
	if err != nil {
		return err
	}
	cp, err := audit.VerifyCheckpoint(text, f.pin)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("the server at %s sent a checkpoint that does not verify under the pinned key (key id %s): %s", f.c.Base(), f.pin.ID(), errMessage(err))}
	}
	now := audit.HeadOfCheckpoint(cp)
	if f.kept != nil {
		kept := audit.HeadOfCheckpoint(*f.kept)
		switch {
		case cp.Size == f.kept.Size && cp.Root == f.kept.Root:
			if !f.once {
				return nil // nothing new
			}
			// --once says what it checked, and holds the kept checkpoint to the quorum asked now.
			cosigned, missing, met := f.quorum.Check(text)
			if !met {
				return &exitError{code: 1, err: fmt.Errorf("nothing new: the server's %s is the kept one, and it has no witness quorum (%d of %d needed): %s; not cosigned by %s",
					now, len(cosigned), f.quorum.N, cosignedWords(cosigned), strings.Join(missing, ", "))}
			}
			line := fmt.Sprintf("nothing new: the server's checkpoint is the kept one (size %d, root %s)", cp.Size, cp.Root)
			if len(f.quorum.Witnesses) > 0 {
				line += "; " + cosignedWords(cosigned)
			}
			sayLine(f.a.stdout, "%s", line)
			return nil
		case cp.Size == f.kept.Size:
			return f.fork(cp, fmt.Sprintf("the server's %s and the kept %s are two histories under one key: one size, two roots", now, kept))
		case cp.Size < f.kept.Size:
			return f.fork(cp, fmt.Sprintf("the server's %s does not extend the kept %s: it is smaller, and a ledger only grows", now, kept))
		}
		var proof []audit.Hash
		if f.kept.Size > 0 {
			c, err := f.c.Consistency(ctx, f.kept.Size, cp.Size)
			if err != nil {
				return err
			}
			proof = c.Proof
		}
		err := audit.CheckConsistency(kept, now, proof, f.pin)
		if errors.Is(err, audit.ErrInconsistent) {
			return f.fork(cp, fmt.Sprintf("the server's %s does not extend the kept %s: its own consistency proof leads to its root from another history (%s)", now, kept, errMessage(err)))
		}
		if err != nil {
			// A proof that does not verify proves nothing either way: the server failed to show its
			// checkpoint extends the kept one. Not a FORK (no evidence is filed, the kept checkpoint
			// stays); asked again next round (with --once, exit 1).
			return &exitError{code: 1, err: fmt.Errorf("the server at %s did not prove that its %s extends the kept %s: the consistency proof it sent does not verify (%s); the kept checkpoint is unchanged",
				f.c.Base(), now, kept, errMessage(err))}
		}
	}
	cosigned, missing, met := f.quorum.Check(text)
	if !met {
		msg := fmt.Sprintf("the server's %s has no witness quorum yet (%d of %d needed): %s; not cosigned by %s", now,
			len(cosigned), f.quorum.N, cosignedWords(cosigned), strings.Join(missing, ", "))
		if f.waiting != nil && *f.waiting == cp.Root {
			return nil
		}
		f.waiting = &cp.Root
		return &exitError{code: 1, err: errors.New(msg)}
	}
	if err := audit.ReplaceFile(filepath.Join(f.dir, keptCheckpointFile), text); err != nil {
		return fmt.Errorf("keep the checkpoint in %s: %v", f.dir, err)
	}
	line := ""
	if f.kept == nil {
		line = fmt.Sprintf("first checkpoint kept: size %d, root %s", cp.Size, cp.Root)
	} else {
		line = fmt.Sprintf("new checkpoint kept: size %d, root %s, extends size %d (root %s)", cp.Size, cp.Root, f.kept.Size, f.kept.Root)
	}
	if len(f.quorum.Witnesses) > 0 {
		line += "; " + cosignedWords(cosigned)
	}
	sayLine(f.a.stdout, "%s", line)
	f.kept = &cp
	return nil
}

// fork keeps the server's checkpoint as evidence beside the kept one (fork-SIZE-ROOT.checkpoint) and
// returns the *forkError naming both.
func (f *follower) fork(cp audit.Checkpoint, msg string) error {
	name := fmt.Sprintf("fork-%d-%s.checkpoint", cp.Size, cp.Root.String()[:16])
	if err := audit.ReplaceFile(filepath.Join(f.dir, name), cp.Note); err == nil {
		msg += "; its checkpoint is kept in " + filepath.Join(f.dir, name)
	}
	return &forkError{msg: msg}
}
