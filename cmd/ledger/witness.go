package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/eventstore/bolt"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/witness"
)

// cmdWitness is 'ledger witness serve' (run a witness: C2SP tlog-witness) and 'ledger witness key'
// (make or show a witness's key). 'ledger witness --help' shows both subcommands' flags.
func cmdWitness(ctx context.Context, a *app, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fs, _ := witnessFlags(a, "")
		return a.parseNoArgs(fs, args)
	}
	if len(args) == 0 || (args[0] != "serve" && args[0] != "key") {
		return usageErrorf("witness: want 'witness serve --key-file FILE --log-key VKEY' or 'witness key -o FILE --name NAME' (run 'ledger help witness')")
	}
	if args[0] == "key" {
		return witnessKey(a, args[1:])
	}
	return witnessServe(ctx, a, args[1:])
}

// witnessFlagValues are the flags of 'ledger witness' as parsed.
type witnessFlagValues struct {
	addr, state, out, name *string
	init                   *bool
	logKeys                *stringList
}

// witnessFlags declares the flags of the subcommand sub ("serve", "key"; "" for both, for help).
// --key-file is the global flag (a.keyFile); it is declared here so that help lists it.
func witnessFlags(a *app, sub string) (*flag.FlagSet, witnessFlagValues) {
	fs := a.newFlags("witness")
	var v witnessFlagValues
	fs.String("key-file", "", "the witness's key `FILE` ('ledger witness key' makes it); required by serve; with key alone it prints the key's vkey")
	if sub != "key" {
		v.addr = fs.String("addr", "127.0.0.1:8090", "serve: address to listen on (port 0 picks a free port)")
		v.state = fs.String("state", "", "serve: the `DIR` holding witness.db, the last checkpoint the witness cosigned per log; required, and it must exist unless --init; it should be a fixed absolute path (a relative one is taken from the directory the witness starts in)")
		v.init = fs.Bool("init", false, "serve: start a NEW, empty witness state in --state DIR (refused when DIR/witness.db exists); only for a new witness: one that forgot what it cosigned would cosign a smaller or forked history")
		v.logKeys = &stringList{}
		fs.Var(v.logKeys, "log-key", "serve: a log's checkpoint key `VKEY` (ORIGIN+HASH+KEY, as the ledger prints it); repeatable, one per log or key")
	}
	if sub != "serve" {
		v.out = fs.String("o", "", "key: write a new key to `FILE` (never replacing one) and print its vkey")
		v.name = fs.String("name", "", "key: the witness's `NAME`, a schema-less URL, e.g. witness.great-yarmouth.gov.uk/ledger (with -o)")
	}
	return fs, v
}

// witnessKey makes a witness key (-o FILE --name NAME) or prints the vkey of one (--key-file FILE).
func witnessKey(a *app, args []string) error {
	fs, v := witnessFlags(a, "key")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	var key witness.Key
	switch {
	case *v.out != "" && a.given["key-file"]:
		return usageErrorf("witness key: give -o FILE to make a key or --key-file FILE to show one, not both")
	case *v.out != "":
		if *v.name == "" {
			return usageErrorf("witness key: --name NAME is required with -o, e.g. --name witness.great-yarmouth.gov.uk/ledger")
		}
		k, err := witness.CreateKeyFile(*v.out, *v.name)
		if err != nil {
			return usageErrorf("witness key: %s", messageOf(err))
		}
		key = k
		fmt.Fprintf(a.stderr, "made a witness key in %s: keep it secret and back it up; give the vkey below to the ledger's operator (--witness VKEY@URL) and to auditors\n", *v.out)
	case a.given["key-file"]:
		if *v.name != "" {
			return usageErrorf("witness key: --name is for a new key (-o FILE); a key's name is in its file")
		}
		k, err := loadWitnessKey(a.keyFile)
		if err != nil {
			return err
		}
		key = k
	default:
		return usageErrorf("witness key: want -o FILE --name NAME (a new key) or --key-file FILE (show its vkey)")
	}
	reportf(a.stdout, "%s\n", key.VerifierKey())
	return nil
}

// loadWitnessKey reads the witness key file at path (at most audit.MaxKeyFileBytes); a missing,
// unreadable or wrong one is bad input.
func loadWitnessKey(path string) (witness.Key, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return witness.Key{}, usageErrorf("witness: no key file %s; make one with 'ledger witness key -o %s --name NAME'", path, path)
	}
	b, err := readUserFile("witness", path, audit.MaxKeyFileBytes, "a witness key file is one line")
	if err != nil {
		return witness.Key{}, err
	}
	k, err := witness.ParseKey(string(bytes.TrimSpace(b)))
	if err != nil {
		return witness.Key{}, usageErrorf("witness: key file %s: %s", path, messageOf(err))
	}
	return k, nil
}

// messageOf is err's message for people (fault.Message), or its text when it has none.
func messageOf(err error) string {
	if m := fault.Message(err); m != "" {
		return m
	}
	return err.Error()
}

// witnessServe runs a witness until ctx ends (SIGINT/SIGTERM).
func witnessServe(ctx context.Context, a *app, args []string) error {
	fs, v := witnessFlags(a, "serve")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	if !a.given["key-file"] {
		return usageErrorf("witness serve: --key-file FILE is required (make one with 'ledger witness key -o FILE --name NAME')")
	}
	if len(*v.logKeys) == 0 {
		return usageErrorf("witness serve: --log-key VKEY is required: the checkpoint key of each log to witness, as the ledger prints it")
	}
	var logs []note.Verifier
	seen := map[string]bool{}
	for _, s := range *v.logKeys {
		lk, err := witness.ParseLogKey(s)
		if err != nil {
			return usageErrorf("witness serve: --log-key: %s", messageOf(err))
		}
		id := fmt.Sprintf("%s+%08x", lk.Name(), lk.KeyHash())
		if seen[id] {
			return usageErrorf("witness serve: --log-key: the key %s+%08x is given twice", lk.Name(), lk.KeyHash())
		}
		seen[id] = true
		logs = append(logs, lk)
	}
	key, err := loadWitnessKey(a.keyFile)
	if err != nil {
		return err
	}
	if *v.state == "" {
		return usageErrorf("witness serve: --state DIR is required: the directory holding the witness's state (witness.db); add --init only to start a new witness")
	}
	ln, err := listen("witness serve", *v.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	state, err := openWitnessState(a, *v.state, *v.init)
	if err != nil {
		return err
	}
	defer state.Close()
	logger := slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := &http.Server{
		Handler:           api.NewWitnessServer(witness.New(key.Signer(), logs, state), logger),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	reportf(a.stdout, "witness %s\n", key.VerifierKey())
	for _, lk := range logs {
		reportf(a.stdout, "witnessing log %s\n", lk.Name())
	}
	reportf(a.stdout, "listening on http://%s\n", ln.Addr().String())
	return a.serveUntilDone(ctx, "witness serve", srv, ln, "stopped: every request finished and the witness state is closed")
}

// openWitnessState opens the witness state in dir (--state), or with init (--init) makes a new one
// there and says so on stderr. A missing state without --init, an existing one with --init, or a
// directory that cannot be made is bad input (exit 2); a damaged state file is one line, exit 1
// (docs/integrity.md §10).
func openWitnessState(a *app, dir string, init bool) (*witness.State, error) {
	path := filepath.Join(dir, witness.StateFile)
	if !init {
		var d *eventstore.DamageError
		st, err := witness.OpenState(dir, bolt.OpenChecked)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, usageErrorf("witness serve: --state %s: no witness state (%s) there; give the directory that holds it, or --init to start a new witness (never for one that lost its state: restore that from its latest copy)", dir, path)
		case errors.As(err, &d):
			return nil, &exitError{code: 1, err: fault.Errorf(fault.Internal, "witness serve: the witness state is damaged at %s: %s (its latest copy: never an older one, never a new empty state)", d.Where, d.Reason)}
		case err != nil && fault.KindOf(err) != fault.Busy:
			return nil, usageErrorf("witness serve: --state %s: %s", dir, messageOf(err))
		}
		return st, err
	}
	st, err := witness.CreateState(dir)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil, usageErrorf("witness serve: --init: %s exists; drop --init to use it (a witness state is never replaced)", path)
	case err != nil:
		return nil, usageErrorf("witness serve: --state %s: %s", dir, messageOf(err))
	}
	fmt.Fprintf(a.stderr, "witness serve: started a NEW, EMPTY witness state in %s: this witness has cosigned nothing yet; from now on keep this file (back it up; never restore an older copy) and start without --init\n", path)
	return st, nil
}

// witnessOptions are the witnesses a server asks to cosign its checkpoints.
type witnessOptions struct {
	remotes []witness.Remote // --witness VKEY@URL
	quorum  int              // --witness-quorum (0 when there are no witnesses)
}

// witnessFlagsOfServer declares serve's and demo's --witness and --witness-quorum and returns what
// reads them once parsed: bad input is a usage error naming the flag.
func witnessFlagsOfServer(fs *flag.FlagSet) func(cmd string) (witnessOptions, error) {
	specs := &stringList{}
	fs.Var(specs, "witness", "a witness to ask for cosignatures of each new checkpoint, `VKEY@URL`: the vkey 'ledger witness key' printed and its base URL, e.g. ...+BASE64@http://127.0.0.1:8090 (repeatable; docs/integrity.md §10)")
	quorum := fs.Int("witness-quorum", 0, "how many of the --witness witnesses must cosign a checkpoint for it to count as witnessed (default: all of them)")
	return func(cmd string) (witnessOptions, error) {
		var o witnessOptions
		seen := map[string]bool{}
		for _, s := range *specs {
			r, err := witness.ParseRemote(s)
			if err != nil {
				return o, usageErrorf("%s: --witness: %s", cmd, messageOf(err))
			}
			id := fmt.Sprintf("%s+%08x", r.Key.Name(), r.Key.KeyHash())
			if seen[id] {
				return o, usageErrorf("%s: --witness: the witness %s is given twice", cmd, r.Key.Name())
			}
			seen[id] = true
			o.remotes = append(o.remotes, r)
		}
		switch n := len(o.remotes); {
		case n == 0 && *quorum != 0:
			return o, usageErrorf("%s: --witness-quorum needs witnesses: give each with --witness VKEY@URL", cmd)
		case *quorum < 0 || *quorum > n:
			return o, usageErrorf("%s: --witness-quorum must be 1 to %d, the number of witnesses given (got %d)", cmd, n, *quorum)
		case *quorum == 0:
			o.quorum = n
		default:
			o.quorum = *quorum
		}
		return o, nil
	}
}

// cosigner returns the witness client of a server (nil without witnesses): it asks the witnesses to
// cosign each checkpoint checkpoints stores, with consistency proofs from log, and stores their
// cosignatures beside the checkpoints, where GET /checkpoint serves them.
func (o witnessOptions) cosigner(checkpoints *audit.Checkpointer, log *audit.Log, logger *slog.Logger) *witness.Cosigner {
	if len(o.remotes) == 0 {
		return nil
	}
	return &witness.Cosigner{Witnesses: o.remotes, Quorum: o.quorum, Store: checkpoints.Store,
		Latest: checkpoints.Latest, Proof: log.ConsistencyProof, Logger: logger}
}

// witnessed says whether a stored checkpoint has the quorum of the server's witnesses (a pack embeds
// the oldest such checkpoint covering it); nil without witnesses.
func (o witnessOptions) witnessed() func(eventstore.Checkpoint) bool {
	if len(o.remotes) == 0 {
		return nil
	}
	return func(cp eventstore.Checkpoint) bool { return witness.CountCosignatures(cp, o.remotes) >= o.quorum }
}
