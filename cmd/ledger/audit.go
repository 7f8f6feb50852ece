package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// loadKey loads the tree-signing key for a command that must sign, never creating one: a missing key
// file is an error that says where it looked (exit 1 when the ledger in s has events, whose kept tree
// heads only that key verifies; exit 2 otherwise). s may be nil when no store is open.
func (a *app) loadKey(ctx context.Context, s eventstore.Store) (audit.Key, error) {
	path, err := a.defaultKeyFile()
	if err != nil {
		return audit.Key{}, err
	}
	key, err := audit.LoadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		var events uint64
		if s != nil {
			if head, err := s.Head(ctx); err == nil {
				events = head.Seq
			}
		}
		return audit.Key{}, a.missingKey(path, events)
	}
	if err != nil {
		return audit.Key{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return key, nil
}

// missingKey is the error for a key file that is not there, for a ledger of events events.
func (a *app) missingKey(path string, events uint64) error {
	where := "--key-file"
	if a.keyFile == "" {
		where = "the key file beside the store; --key-file names another"
	}
	if events > 0 {
		return &exitError{code: 1, err: fmt.Errorf("no tree-signing key at %s (%s): this ledger holds %d events, and only its own key verifies the tree heads auditors kept, so none is created; restore the key file from a backup",
			path, where, events)}
	}
	return usageErrorf("no tree-signing key at %s (%s); a new ledger's key is made with its first events (ledger seed, record or serve), "+
		"a copied ledger's is the source's key file (copy it there), and 'openssl genpkey -algorithm ed25519 -out FILE' makes one for a new KurrentDB cluster", path, where)
}

// keyForNewLedger creates the tree-signing key, with a warning, when the ledger in s has no events and
// the key file is missing. A KurrentDB store without --key-file has no default key file: nothing is done.
func (a *app) keyForNewLedger(ctx context.Context, s eventstore.Store) error {
	path, err := a.defaultKeyFile()
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	head, err := s.Head(ctx)
	if err != nil || head.Seq > 0 {
		return err
	}
	return a.createKey(path)
}

// keyMissingForEmptyLedger reports whether s is an empty ledger without its key file, so that a
// command about to write its first events should create the key once they are in (keyForNewLedger
// creates it before; record waits, so that a refused command leaves nothing behind).
func (a *app) keyMissingForEmptyLedger(ctx context.Context, s eventstore.Store) (bool, error) {
	path, err := a.defaultKeyFile()
	if err != nil {
		return false, nil
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	head, err := s.Head(ctx)
	return err == nil && head.Seq == 0, err
}

// needKeyPath is the key file keyMissingForEmptyLedger looked for.
func needKeyPath(a *app) string {
	path, _ := a.defaultKeyFile()
	return path
}

// createKey creates the key file at path (or loads it, when another process just made it).
func (a *app) createKey(path string) error {
	_, created, err := audit.LoadOrCreateKey(path)
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	if created {
		fmt.Fprintf(a.stderr, "warning: created a new tree-signing key in %s; back it up, and give auditors its public key (ledger key)\n", path)
	}
	return nil
}

// openLog opens the store and builds the Merkle tree over the whole log.
func (a *app) openLog(ctx context.Context) (*audit.Log, eventstore.Store, error) {
	s, err := a.openExistingStore(ctx, a.store) // first: no key is created beside a mistyped store
	if err != nil {
		return nil, nil, err
	}
	key, err := a.loadKey(ctx, s)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	l := audit.NewLog(s, key)
	if _, err := l.CatchUp(ctx); err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("build the Merkle tree: %w", err)
	}
	return l, s, nil
}

// output opens -o FILE for writing, or returns stdout for "" or "-".
func (a *app) output(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return a.stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, usageErrorf("%v", err)
	}
	return f, f.Close, nil
}

// lazyOutput is output for a command whose source may still refuse after the output is named (export
// opens its store, or asks its server, as it reads): -o FILE is created by the first write, or by
// finish(nil) when nothing was written, so a refusal before the first event leaves no file. finish
// closes the file and returns the command's error, else the file's. A file that cannot be created is a
// usage error, as output's.
func (a *app) lazyOutput(path string) (w io.Writer, finish func(err error) error) {
	if path == "" || path == "-" {
		return a.stdout, func(err error) error { return err }
	}
	lw := &lazyFile{path: path}
	return lw, lw.finish
}

// lazyFile creates its file on the first Write.
type lazyFile struct {
	path string
	f    *os.File
	err  error
}

func (l *lazyFile) open() error {
	if l.f == nil && l.err == nil {
		if l.f, l.err = os.Create(l.path); l.err != nil {
			l.err = usageErrorf("%v", l.err)
		}
	}
	return l.err
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if err := l.open(); err != nil {
		return 0, err
	}
	return l.f.Write(p)
}

// finish ends the output of a command that ended with err: on success the file is created if nothing
// was written (an empty ledger exports to an empty file); it is closed if it was opened.
func (l *lazyFile) finish(err error) error {
	if err == nil {
		err = l.open()
	}
	if l.f != nil {
		if cerr := l.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func cmdKey(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("key")
	asJSON := fs.Bool("json", false, "print as JSON")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	k, err := src.PublicKey(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(a.stdout, k)
	}
	// Through reportf: with --server the text comes from the server.
	reportf(a.stdout, "public key: %s\nkey id:     %s\nalgorithm:  %s\norigin:     %s\nvkey:       %s\n\n"+
		"Pin the public key or the vkey: verify, check-proof, check-consistency, checkpoint and verify-pack take either with --key;\n"+
		"the vkey (a C2SP signed-note verifier key) also checks the ledger's checkpoints in any transparency tool.\n",
		k.PublicKey, k.KeyID, k.Algorithm, k.Origin, k.VKey)
	return nil
}

// keyForKeyCommand loads the key for 'ledger key', a command that only reads: it never creates a key
// (a new ledger's key is made with its first events, by the command that writes them). When the key
// file is missing, a store that exists is opened read-only to count its events, so the error says
// whether the key must be restored from a backup (a ledger with events) or is yet to be made.
func (a *app) keyForKeyCommand(ctx context.Context) (audit.Key, error) {
	path, err := a.defaultKeyFile()
	if err != nil {
		return audit.Key{}, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		var events uint64
		file, isBolt := boltPath(a.store)
		if _, err := os.Stat(file); !isBolt || err == nil {
			s, err := a.openExistingStore(ctx, a.store)
			if err != nil {
				return audit.Key{}, err
			}
			head, err := s.Head(ctx)
			s.Close()
			if err != nil {
				return audit.Key{}, err
			}
			events = head.Seq
		}
		return audit.Key{}, a.missingKey(path, events)
	}
	return a.loadKey(ctx, nil)
}

func cmdTreeHead(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("tree-head")
	size := fs.Uint64("size", 0, "the tree size to sign (default: the whole ledger)")
	out := fs.String("o", "", "write the signed tree head to `FILE` (default: stdout)")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	th, err := src.TreeHead(ctx, *size)
	if err != nil {
		return fmt.Errorf("tree-head: %w", err)
	}
	if err := a.writeJSONOutput(*out, th); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		fmt.Fprintf(a.stderr, "wrote the signed tree head of size %d to %s; keep it for 'ledger check-consistency %s --key PUBKEY'\n", th.Size, *out, *out)
	}
	return nil
}

// writeJSONOutput writes v as indented JSON to path (a.output: stdout for "" or "-").
func (a *app) writeJSONOutput(path string, v any) error {
	w, closeOut, err := a.output(path)
	if err != nil {
		return err
	}
	if err := writeJSON(w, v); err != nil {
		closeOut()
		return err
	}
	return closeOut()
}

func cmdProve(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("prove")
	idText := fs.String("event", "", "the event's id (required)")
	out := fs.String("o", "", "write the bundle to `FILE` (default: stdout)")
	keyText := fs.String("key", "", "with --server: the ledger's public key, as printed by 'ledger key'; the bundle is checked under it before it is written (without it, only its proof against its own tree head)")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	if *idText == "" {
		return usageErrorf("prove: --event is required (run 'ledger help prove')")
	}
	id, err := uuid.Parse(*idText)
	if err != nil {
		return usageErrorf("prove: --event %q is not an event id (a UUID)", *idText)
	}
	var pub ed25519.PublicKey
	if *keyText != "" {
		pin, err := parseKeyFlag("prove", *keyText)
		if err != nil {
			return err
		}
		pub = pin.Public
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	b, err := src.Prove(ctx, id, pub)
	if err != nil {
		return fmt.Errorf("prove: %w", err)
	}
	if err := a.writeJSONOutput(*out, b); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(a.stderr, "wrote the proof of event %s (seq %d) under the tree head of size %d to %s\n", id, b.LeafIndex+1, b.TreeHead.Size, *out)
	}
	return nil
}

// The most a command reads of a file named on its command line (readUserFile): each is many times
// what the ledger writes there, and a file larger (or a device that never ends, /dev/zero) is bad
// input, refused after reading one byte more.
const (
	maxTokenFileBytes = 4 << 10              // --token-file: one line, a token of under 100 characters
	maxKeyFileBytes   = 16 << 10             // verify-pack --key FILE: 44 characters of base64, or a short PEM block
	maxBundleBytes    = client.MaxProofBytes // check-proof FILE: one event (at most 2 MiB as JSON) and its proof
	maxHeadFileBytes  = 16 << 20             // --tree-head FILE, check-consistency FILE: a tree head, a bundle or a pack.json carrying one
)

// readUserFile reads the file at path, named by the user for cmd, whole when it holds at most max
// bytes (audit.ReadFileAtMost); what says what such a file holds, for the one-line refusal of a larger
// one: "CMD: PATH is larger than N bytes; WHAT" (bad input, exit 2). Any error is a usage error.
func readUserFile(cmd, path string, max int64, what string) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, usageErrorf("%s: %s is a directory; give a file (of a review pack, its pack.json)", cmd, path)
	}
	b, err := audit.ReadFileAtMost(path, max)
	if errors.Is(err, audit.ErrFileTooLarge) {
		return nil, usageErrorf("%s: %s is larger than %d bytes; %s", cmd, path, max, what)
	}
	if err != nil {
		return nil, usageErrorf("%s: %v", cmd, err)
	}
	return b, nil
}

// readJSONFile decodes a JSON file of at most max bytes (readUserFile; what says what it holds) for a
// command, turning every problem into a usage error.
func readJSONFile(cmd, path string, max int64, what string, v any) error {
	b, err := readUserFile(cmd, path, max, what)
	if err != nil {
		return err
	}
	return decodeJSONFile(cmd, path, b, v)
}

// decodeJSONFile decodes b, read from path, into v: a usage error when it is not JSON of v's shape.
func decodeJSONFile(cmd, path string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return usageErrorf("%s: %s cannot be read: %s", cmd, path, jsonProblem(b, err))
	}
	return nil
}

// decodeStrictJSONFile is decodeJSONFile for a file whose shape is the ledger's own (a proof file):
// a member name given twice (eventstore.Canonicalize's rule, however it is spelled) or a member v
// does not have is bad input too, naming it.
func decodeStrictJSONFile(cmd, path string, b []byte, v any) error {
	if _, err := eventstore.Canonicalize(b); err != nil {
		return usageErrorf("%s: %s cannot be read: %s", cmd, path, errMessage(err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usageErrorf("%s: %s cannot be read: %s", cmd, path, jsonProblem(b, err))
	}
	return nil
}

// jsonProblem says what is wrong with the JSON document doc that encoding/json could not decode, in
// people's words (fault.JSONProblemIn): "/proof/2: must be a string, not a JSON number", or the
// reason alone when it concerns the whole document ("not complete JSON: it ends at byte 90 (line 4,
// column 2) before the value does").
func jsonProblem(doc []byte, err error) string {
	ptr, why := fault.JSONProblemIn(doc, err)
	if ptr == "" {
		return why
	}
	return ptr + ": " + why
}

// parseKeyFlag reads the pinned key given with --key: the base64 public key or the note verifier key
// that 'ledger key' prints (audit.ParsePinnedKey). Every command that checks a signature takes the
// key this way, never from the operator's key file: a missing --key is bad input saying where the key
// comes from.
func parseKeyFlag(cmd, text string) (audit.PinnedKey, error) {
	if text == "" {
		return audit.PinnedKey{}, usageErrorf("%s: --key PUBKEY is required: the ledger's public key or note verifier key, which 'ledger key' prints (with --server URL, from the server); pin it once and keep it", cmd)
	}
	pin, err := audit.ParsePinnedKey(text)
	if err != nil {
		return audit.PinnedKey{}, badFlag(cmd, "key", err)
	}
	return pin, nil
}

func cmdCheckProof(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("check-proof")
	keyText := fs.String("key", "", "the ledger's public key or note verifier key (vkey), as 'ledger key' prints them (required)")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("check-proof: want one proof bundle FILE (run 'ledger help check-proof')")
	}
	pub, err := parseKeyFlag("check-proof", *keyText)
	if err != nil {
		return err
	}
	var b audit.Bundle
	if err := readJSONFile("check-proof", pos[0], maxBundleBytes, "a proof bundle is one event and its proof, at most 4 MiB", &b); err != nil {
		return err
	}
	if b.Event.ID == uuid.Nil || b.TreeHead.Size == 0 || len(b.TreeHead.Signature) == 0 {
		// Not a bundle at all (a tree head, {}): the file is the wrong input, not evidence of tampering.
		return usageErrorf("check-proof: %s is not a proof bundle (it needs an event and a signed tree head, as 'ledger prove' writes)", pos[0])
	}
	if err := audit.CheckBundle(b, pub.Public); err != nil {
		sayLine(a.stdout, "REFUSED: %v", err)
		return &exitError{code: 1, err: err, silent: true}
	}
	sayLine(a.stdout, "valid: event %s (%s in %s, seq %d) is in the ledger under the tree head of size %d signed by key %s at %s",
		b.Event.ID, b.Event.Type, b.Event.Stream, b.LeafIndex+1, b.TreeHead.Size, b.TreeHead.KeyID, b.TreeHead.Timestamp.Format("2006-01-02 15:04:05Z07:00"))
	return nil
}

func cmdCheckConsistency(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("check-consistency")
	keyText := fs.String("key", "", "the ledger's public key or note verifier key, as 'ledger key' prints it (required)")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("check-consistency: want one FILE: a tree head or checkpoint kept earlier, or a proof file from 'ledger consistency-proof'")
	}
	pin, err := parseKeyFlag("check-consistency", *keyText)
	if err != nil {
		return err
	}
	b, err := readKeptFile("check-consistency", pos[0])
	if err != nil {
		return err
	}
	if isProofFile(b) {
		return a.checkProofFile(pos[0], b, pin) // offline: no store, no server
	}
	older, err := parseKeptHead("check-consistency", pos[0], b, pin)
	if err != nil {
		return err
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	// The same check as verify --tree-head: the whole ledger verifies, then extends the head.
	rep, err := src.Verify(ctx, audit.VerifyOptions{Heads: []audit.SignedHead{older}, Key: pin})
	if err != nil {
		return err
	}
	if !rep.Intact {
		sayLine(a.stdout, "NOT CONSISTENT: %s", strings.TrimPrefix(verdict(rep), "TAMPERED: "))
		var bad error = rep.FirstBad
		if rep.BadHead != nil {
			bad = rep.BadHead
		}
		return &exitError{code: 1, err: bad, silent: true}
	}
	reportf(a.stdout, "consistent: the ledger today (size %d, root %s) extends the %s\n", rep.Size, rep.Root, older)
	return nil
}

func cmdExport(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("export")
	out := fs.String("o", "", "write to `FILE` (default: stdout)")
	salvage := fs.Bool("salvage", false, "from a damaged bolt store, write the events that still verify, up to the first bad one (needs -o FILE)")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	if *salvage && (*out == "" || *out == "-") {
		return usageErrorf("export: --salvage needs -o FILE (it reports where it stopped on stderr)")
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	w, finish := a.lazyOutput(*out) // the source may still refuse: then no file is left behind
	if *salvage {
		n, stopped, err := src.Salvage(ctx, w)
		if err = finish(err); err != nil {
			return err // audit's errors say "export: …" already
		}
		if stopped == nil {
			fmt.Fprintf(a.stderr, "salvaged every event: %d events, all verifying, to %s\n", n, *out)
			return nil
		}
		return &exitError{code: 1, err: fmt.Errorf("salvaged %d events to %s, stopping before seq %d: %v", n, *out, n+1, damageOrErr(stopped))}
	}
	n, err := src.Export(ctx, w)
	if err = finish(err); err != nil {
		return err // audit's errors say "export: …" already
	}
	if *out != "" {
		fmt.Fprintf(a.stderr, "exported %d events to %s\n", n, *out)
	}
	return nil
}

func cmdImport(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("import")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("import: want one export FILE (run 'ledger help import')")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return usageErrorf("import: %v", err)
	}
	defer f.Close()
	// The file is verified before the first append: a refusal writes nothing. No key is made: the
	// imported ledger's heads must be signed with the source's key (keyAdvice).
	s, err := a.openForWrite(ctx, a.store, false)
	if err != nil {
		return err
	}
	defer s.Close()
	prog := a.copyProgress()
	rep, err := audit.Import(ctx, s, f, audit.CopyOptions{Progress: prog.update})
	prog.done()
	if err != nil {
		removed := s.Discard() // a store this import created goes with it: a refusal part-way leaves no file
		return copyError("import", pos[0], rep, err, removed)
	}
	sayLine(a.stdout, "imported %s; the store verifies, Merkle root at size %d is %s", copied(rep), rep.Size, rep.Root)
	sayLine(a.stdout, "%s", keyAdvice(a.copyKeyFiles("", a.store)))
	return nil
}
