package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/reviewpack"
)

// originFor is the ledger's checkpoint origin: the origin of the latest checkpoint stored in s (a
// ledger keeps one origin: its witnesses and auditors pinned the vkey of it), else --origin
// (LEDGER_ORIGIN), else audit.DefaultOrigin of key. s may be nil (no store: --origin or the default).
// A malformed --origin, or one that differs from the stored checkpoints' origin, is bad input (exit
// 2) naming both (docs/integrity.md §10).
func (a *app) originFor(ctx context.Context, s eventstore.Store, key audit.Key) (string, error) {
	stored, size, err := storedOrigin(ctx, s)
	if err != nil {
		return "", err
	}
	if a.origin == "" {
		if stored != "" {
			return stored, nil
		}
		return audit.DefaultOrigin(key.ID()), nil
	}
	if err := audit.CheckOrigin(a.origin); err != nil {
		return "", badFlag("", "origin", err)
	}
	if stored != "" && stored != a.origin {
		return "", usageErrorf("--origin %q differs from %q, the origin of this ledger's stored checkpoints (the latest of size %d): a ledger keeps one origin, since witnesses and auditors pinned its vkey; drop --origin (and LEDGER_ORIGIN)", a.origin, stored, size)
	}
	return a.origin, nil
}

// storedOrigin is the origin and size of the latest checkpoint stored in s ("" when s is nil or
// holds none).
func storedOrigin(ctx context.Context, s eventstore.Store) (string, uint64, error) {
	if s == nil {
		return "", 0, nil
	}
	cs, err := checkpointStore(s)
	if err != nil {
		return "", 0, err
	}
	cp, err := cs.LatestCheckpoint(ctx)
	if errors.Is(err, eventstore.ErrCheckpointNotFound) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, err
	}
	parsed, err := audit.ParseCheckpoint(cp.Note)
	if err != nil {
		return "", 0, fmt.Errorf("the stored checkpoint of size %d: %w", cp.Size, err)
	}
	return parsed.Origin, parsed.Size, nil
}

// checkpointStore is the eventstore.CheckpointStore of a store the commands opened (through a
// writeStore or not); a store without one is an error (every backend has one).
func checkpointStore(s eventstore.Store) (eventstore.CheckpointStore, error) {
	if w, ok := s.(*writeStore); ok {
		inner, err := w.store()
		if err != nil {
			return nil, err
		}
		s = inner
	}
	cs, ok := s.(eventstore.CheckpointStore)
	if !ok {
		return nil, fmt.Errorf("the store %T keeps no checkpoints", s)
	}
	return cs, nil
}

// checkpointer is the Checkpointer of the ledger in s, signing with key under the configured origin.
func (a *app) checkpointer(ctx context.Context, s eventstore.Store, key audit.Key, lg *audit.Log) (*audit.Checkpointer, error) {
	origin, err := a.originFor(ctx, s, key)
	if err != nil {
		return nil, err
	}
	cs, err := checkpointStore(s)
	if err != nil {
		return nil, err
	}
	return audit.NewCheckpointer(lg, cs, origin)
}

func cmdCheckpoint(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("checkpoint")
	out := fs.String("o", "", "write the checkpoint to `FILE` (default: stdout)")
	keyText := fs.String("key", "", "check the checkpoint under this pinned key ('ledger key' prints it) before printing it")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	var pin *audit.PinnedKey
	if *keyText != "" {
		p, err := parseKeyFlag("checkpoint", *keyText)
		if err != nil {
			return err
		}
		pin = &p
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	text, err := src.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if pin != nil {
		if _, err := audit.VerifyCheckpoint(text, *pin); err != nil {
			return &exitError{code: 1, err: fmt.Errorf("checkpoint: the ledger's checkpoint does not verify under the pinned key: %s", errMessage(err))}
		}
	}
	w, closeOut, err := a.output(*out)
	if err != nil {
		return err
	}
	writeNote(w, text)
	if err := closeOut(); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		what := "the checkpoint"
		if cp, err := audit.ParseCheckpoint(text); err == nil {
			what = fmt.Sprintf("the checkpoint of size %d", cp.Size)
		}
		fmt.Fprintf(a.stderr, "wrote %s to %s; keep it for 'ledger check-consistency %s --key VKEY'\n", what, *out, *out)
	}
	return nil
}

// writeNote writes a signed note line by line, each line made terminal-safe (a server's answer is
// printed as it came, but never as control characters).
func writeNote(w io.Writer, text []byte) {
	for line := range strings.SplitSeq(strings.TrimSuffix(string(text), "\n"), "\n") {
		sayLine(w, "%s", line)
	}
}

func cmdConsistencyProof(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("consistency-proof")
	out := fs.String("o", "", "write the proof file to `FILE` (default: stdout)")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("consistency-proof: want one OLD file: a tree head ('ledger tree-head -o FILE') or a checkpoint ('ledger checkpoint -o FILE') kept earlier")
	}
	old, err := readSignedHead("consistency-proof", pos[0])
	if err != nil {
		return err
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	// OLD must be signed by this ledger's key (with --server, the key the server says is its own)
	// before anything is said of consistency: a forged or foreign OLD is a bad file (exit 2, naming
	// it), never evidence against the ledger (docs/integrity.md §7.2).
	pk, err := src.PublicKey(ctx)
	if err != nil {
		return err
	}
	pin, err := audit.ParsePinnedKey(pk.VKey)
	if err != nil {
		return fmt.Errorf("consistency-proof: the ledger's key: %w", err)
	}
	if err := verifyKeptHead("consistency-proof", pos[0], old, pin); err != nil {
		return err
	}
	f, err := src.ConsistencyProof(ctx, old, pin)
	if err != nil {
		return err
	}
	if err := a.writeJSONOutput(*out, f); err != nil {
		return err
	}
	if *out != "" {
		fmt.Fprintf(a.stderr, "wrote the proof that the %s extends the %s to %s; check it offline with 'ledger check-consistency %s --key PUBKEY'\n",
			f.To, f.From, *out, *out)
	}
	return nil
}

// extendsOrFails holds the ledger whose tree is t to old (audit.Extends): a ledger that does not
// extend it fails the check (exit 1, naming both sizes and roots).
func extendsOrFails(t *audit.Tree, old audit.SignedHead) error {
	if err := audit.Extends(t, old); err != nil {
		return &exitError{code: 1, err: fmt.Errorf("NOT CONSISTENT: %v", err)}
	}
	return nil
}

// proofFrom is the consistency file from old to the head now (a head of old's kind at size n) in
// the tree t.
func proofFrom(t *audit.Tree, old, now audit.SignedHead) (audit.ConsistencyFile, error) {
	proof, err := t.ConsistencyProof(old.Size(), now.Size())
	if err != nil {
		return audit.ConsistencyFile{}, err
	}
	return audit.ConsistencyFile{From: old, To: now, Proof: proof}, nil
}

// readSignedHead reads a kept head from a file, its signature unchecked (verifyKeptHead checks it):
// a checkpoint (the text 'ledger checkpoint' prints), a tree head from 'ledger tree-head', or any
// JSON file that carries one (a proof bundle, a review pack's pack.json).
func readSignedHead(cmd, path string) (audit.SignedHead, error) {
	b, err := readKeptFile(cmd, path)
	if err != nil {
		return audit.SignedHead{}, err
	}
	return parseSignedHead(cmd, path, b)
}

// readKeptFile reads a file of kept heads or proofs named on the command line. A review pack's
// directory stands for its pack.json, as verify-pack takes it (was "read pack3/: is a directory").
func readKeptFile(cmd, path string) ([]byte, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		packJSON := filepath.Join(path, reviewpack.FileName("json"))
		if _, err := os.Stat(packJSON); err != nil {
			return nil, usageErrorf("%s: %s is a directory without a pack.json; give a tree head, checkpoint, proof file or a review pack's pack.json", cmd, path)
		}
		path = packJSON
	}
	return readUserFile(cmd, path, maxHeadFileBytes, "a tree head or checkpoint is under 1 KiB (keep one with 'ledger tree-head -o FILE' or 'ledger checkpoint -o FILE'); a proof file, bundle or pack.json carrying one is read up to 16 MiB")
}

// parseSignedHead is readSignedHead of the bytes b read from path.
func parseSignedHead(cmd, path string, b []byte) (audit.SignedHead, error) {
	if !looksLikeJSON(b) {
		cp, err := audit.ParseCheckpoint(b)
		if err != nil {
			return audit.SignedHead{}, usageErrorf("%s: %s is neither a tree head (JSON) nor a checkpoint: %s", cmd, path, errMessage(err))
		}
		return audit.HeadOfCheckpoint(cp), nil
	}
	var th audit.TreeHead
	var wrapped struct {
		TreeHead *audit.TreeHead `json:"tree_head"`
	}
	if err := decodeJSONFile(cmd, path, b, &wrapped); err != nil {
		return audit.SignedHead{}, err
	}
	if wrapped.TreeHead != nil {
		th = *wrapped.TreeHead
	} else if err := decodeJSONFile(cmd, path, b, &th); err != nil {
		return audit.SignedHead{}, err
	}
	if th.Size == 0 || len(th.Signature) == 0 {
		return audit.SignedHead{}, usageErrorf("%s: %s holds no signed tree head or checkpoint", cmd, path)
	}
	return audit.HeadOfTree(th), nil
}

// looksLikeJSON reports whether a file named as a kept head is meant as JSON (a tree head, bundle,
// pack.json or proof file) rather than a checkpoint, whose first line is an origin: it starts with
// '{', '[' or '"', or is valid JSON as a whole.
func looksLikeJSON(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && strings.IndexByte(`{["`, t[0]) >= 0 || json.Valid(b)
}

// verifyKeptHead checks the signature of the head h, read from path, under pin: a head that is
// forged, signed by another key or of another origin is a bad input file (exit 2, naming it), not
// evidence that the ledger was tampered with.
func verifyKeptHead(cmd, path string, h audit.SignedHead, pin audit.PinnedKey) error {
	if err := h.Verify(pin); err != nil {
		return usageErrorf("%s: %s is not a %s signed by the key it is checked against (%s); check the file and the key", cmd, path, h.Kind(), errMessage(err))
	}
	return nil
}

// readKeptHead is readSignedHead, then verifyKeptHead.
func readKeptHead(cmd, path string, pin audit.PinnedKey) (audit.SignedHead, error) {
	h, err := readSignedHead(cmd, path)
	if err != nil {
		return h, err
	}
	return h, verifyKeptHead(cmd, path, h, pin)
}

// parseKeptHead is readKeptHead of the bytes b read from path.
func parseKeptHead(cmd, path string, b []byte, pin audit.PinnedKey) (audit.SignedHead, error) {
	h, err := parseSignedHead(cmd, path, b)
	if err != nil {
		return h, err
	}
	return h, verifyKeptHead(cmd, path, h, pin)
}

// isProofFile reports whether the file's bytes are a consistency proof file (a JSON object with a
// "proof" member) rather than a kept head.
func isProofFile(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && bytes.Contains(b, []byte(`"proof"`)) && bytes.Contains(b, []byte(`"from"`))
}

// checkProofFile is check-consistency of a consistency proof file, offline: both heads under pin,
// then the proof between them.
func (a *app) checkProofFile(path string, b []byte, pin audit.PinnedKey) error {
	var f audit.ConsistencyFile
	if err := decodeStrictJSONFile("check-consistency", path, b, &f); err != nil {
		return err
	}
	if (f.From.TreeHead == nil && f.From.Checkpoint == nil) || (f.To.TreeHead == nil && f.To.Checkpoint == nil) {
		return usageErrorf("check-consistency: %s is not a consistency proof file (it needs from, to and proof, as 'ledger consistency-proof' writes)", path)
	}
	if f.From.Kind() != f.To.Kind() {
		return usageErrorf("check-consistency: %s: /to is a %s but /from a %s; a proof file links two heads of one kind, as 'ledger consistency-proof' writes", path, f.To.Kind(), f.From.Kind())
	}
	err := audit.CheckConsistency(f.From, f.To, f.Proof, pin)
	switch {
	case err == nil:
		sayLine(a.stdout, "consistent: the %s extends the %s (checked offline from %s under key %s)", f.To, f.From, path, pin.ID())
		return nil
	case audit.IsBadHead(err):
		return usageErrorf("check-consistency: %s: %s", path, errMessage(err))
	}
	sayLine(a.stdout, "NOT CONSISTENT: %s", errMessage(err))
	return &exitError{code: 1, err: err, silent: true}
}

// errMessage is err's message for people (fault.Message), else its text.
func errMessage(err error) string {
	if msg := fault.Message(err); msg != "" {
		return msg
	}
	return err.Error()
}
