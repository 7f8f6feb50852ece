package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// ledgerSource is what the commands that only read ask of a ledger, and what `ledger token` asks. It
// has two implementations: localSource reads the store named by --store (opened read-only on first
// use; token commands open it for writing), serverSource asks the running server named by --server
// through its HTTP API (api/client) and checks what it downloads itself. a.source chooses one, once; a
// command reads the same way from either, and prints the same.
type ledgerSource interface {
	// PartnershipEvents returns the events of a partnership's stream recorded by known_at k (text as
	// given), in order: k resolves over the whole log to the last seq it includes. A partnership with no
	// events at all is bad input.
	PartnershipEvents(ctx context.Context, slug domain.PartnershipSlug, k projections.KnownAt, text string) ([]eventstore.Event, error)
	// State is the partnership at q (as_of and known_at parsed once from the command's flags:
	// projections.ParseQuery).
	State(ctx context.Context, slug string, q projections.Query) (*projections.State, error)
	// PublicKey is the tree-signing public key auditors pin.
	PublicKey(ctx context.Context) (client.PublicKey, error)
	// TreeHead is the signed tree head of size (0: the latest).
	TreeHead(ctx context.Context, size uint64) (audit.TreeHead, error)
	// Prove is the inclusion proof bundle of an event under the latest tree head. From a server it is
	// checked before it is returned: under pub when not nil, else against its own head's root.
	Prove(ctx context.Context, id uuid.UUID, pub ed25519.PublicKey) (audit.Bundle, error)
	// Export writes every event as JSON Lines (audit.ExportEvents) and returns how many.
	Export(ctx context.Context, w io.Writer) (uint64, error)
	// Salvage is `export --salvage` (audit.Salvage): a damaged bolt file's events that still verify.
	Salvage(ctx context.Context, w io.Writer) (written uint64, stopped error, err error)
	// Verify checks every event and the Merkle tree, then opts.Heads under opts.Key.
	Verify(ctx context.Context, opts audit.VerifyOptions) (audit.Report, error)
	// Checkpoint is the latest signed checkpoint (C2SP tlog-checkpoint) with the cosignatures stored
	// for it, as GET /checkpoint serves it; a local store first signs and keeps one at its size.
	Checkpoint(ctx context.Context) ([]byte, error)
	// ConsistencyProof is the proof that the ledger today extends old (whose signature the caller
	// checked under pin, the ledger's key), with a signed head of old's kind at today's size. A
	// server's head that does not verify under pin fails (exit 1) before anything is said of
	// consistency; a ledger that does not extend old fails (exit 1, naming both sizes and roots).
	ConsistencyProof(ctx context.Context, old audit.SignedHead, pin audit.PinnedKey) (audit.ConsistencyFile, error)
	// Pack writes the review pack of opts in formats into dir.
	Pack(ctx context.Context, opts reviewpack.Options, formats []string, dir string) (packWritten, error)
	// IssueToken issues an API token (the server needs an admin token); by is the actor recorded.
	IssueToken(ctx context.Context, role, actor, by string) (tokens.Issued, error)
	// RevokeToken revokes one.
	RevokeToken(ctx context.Context, id uuid.UUID, by string) error
	// Close releases what the source opened.
	Close() error
}

// packWritten is what `ledger pack` reports of the pack it wrote.
type packWritten struct {
	Evidence  *reviewpack.Evidence
	KnownAt   string // the report's known_at as requested
	Manifest  reviewpack.Manifest
	PublicKey string // to pin for verify-pack
}

// source returns the ledger the read commands read: the server named by --server, else the store. It
// is the one place the choice is made.
func (a *app) source() (ledgerSource, error) {
	if a.server == "" {
		return &localSource{a: a}, nil
	}
	c, err := a.serverClient()
	if err != nil {
		return nil, err
	}
	return &serverSource{a: a, c: c}, nil
}

// serverClient is the API client of the server named by --server, with its idle timeout
// (LEDGER_SERVER_TIMEOUT) and the client's caps on every answer; a bad URL is bad input.
func (a *app) serverClient() (*client.Client, error) {
	c, err := client.New(a.server, a.token)
	if err != nil {
		return nil, usageErrorf("--server: %v", err)
	}
	if text := a.getenv("LEDGER_SERVER_TIMEOUT"); text != "" {
		d, err := time.ParseDuration(text)
		if err != nil || d <= 0 {
			return nil, usageErrorf("LEDGER_SERVER_TIMEOUT=%q: want a positive duration, such as 30s", text)
		}
		c.SetIdleTimeout(d)
	}
	return c, nil
}

// storeOnly names the commands that write or serve the store on this machine, with what to do instead
// when a server is named: with --server no command opens a store or a key file here.
var storeOnly = map[string]string{
	"record":  "record through the server's API (POST /v1/partnerships/{id}/events with a recorder token)",
	"seed":    "seed a store before serving it",
	"import":  "import into a new store, then serve it",
	"migrate": "migrate names its stores with --from and --to; stop the server first",
	"gen":     "generate into a new store, then serve it",
	"serve":   "a server serves a store (--store)",
	"demo":    "the demo serves a store of its own (--store)",
}

// refuseServer refuses a command of storeOnly when --server (or LEDGER_SERVER) names a server: bad
// input, before anything is opened.
func (a *app) refuseServer(cmd string) error {
	if instead, ok := storeOnly[cmd]; ok && a.server != "" {
		return usageErrorf("%s: --server (or LEDGER_SERVER) is for the commands that read, and token; %s works on a store here: %s", cmd, cmd, instead)
	}
	return nil
}

// everything is the cut of a known_at that includes every event.
const everything = uint64(math.MaxUint64)

// noPartnership is the error for a partnership with no events in the ledger.
func noPartnership(slug string) error {
	return usageErrorf("no partnership %q in this ledger", slug)
}

// localSource reads the store named by --store, opened read-only when first needed.
type localSource struct {
	a      *app
	s      eventstore.Store
	log    *audit.Log
	models map[string]*projections.Models // folded for one partnership each
}

// store opens the store once (read-only).
func (l *localSource) store(ctx context.Context) (eventstore.Store, error) {
	if l.s == nil {
		s, err := l.a.openExistingStore(ctx, l.a.store)
		if err != nil {
			return nil, err
		}
		l.s = s
	}
	return l.s, nil
}

// modelsFor folds the ledger for one partnership (payloads of others are not decoded; the recording
// axis covers the whole log).
func (l *localSource) modelsFor(ctx context.Context, slug string) (*projections.Models, error) {
	if m, ok := l.models[slug]; ok {
		return m, nil
	}
	s, err := l.store(ctx)
	if err != nil {
		return nil, err
	}
	m, err := projections.Load(ctx, s, projections.Options{Now: l.a.now, Partnerships: []string{slug}})
	if err != nil {
		return nil, err
	}
	if l.models == nil {
		l.models = map[string]*projections.Models{}
	}
	l.models[slug] = m
	return m, nil
}

// auditLog opens the store and builds the Merkle tree, with the signing key (openLog).
func (l *localSource) auditLog(ctx context.Context) (*audit.Log, error) {
	if l.log != nil {
		return l.log, nil
	}
	s, err := l.store(ctx)
	if err != nil {
		return nil, err
	}
	key, err := l.a.loadKey(ctx, s)
	if err != nil {
		return nil, err
	}
	lg := audit.NewLog(s, key)
	if _, err := lg.CatchUp(ctx); err != nil {
		return nil, fmt.Errorf("build the Merkle tree: %w", err)
	}
	l.log = lg
	return lg, nil
}

func (l *localSource) PartnershipEvents(ctx context.Context, slug domain.PartnershipSlug, k projections.KnownAt, _ string) ([]eventstore.Event, error) {
	s, err := l.store(ctx)
	if err != nil {
		return nil, err
	}
	cut := everything
	if !k.IsAll() {
		// A fold for one partnership carries the whole log's recording axis.
		m, err := l.modelsFor(ctx, slug.String())
		if err != nil {
			return nil, err
		}
		cut = m.ResolveKnownAt(k)
	}
	events := []eventstore.Event{}
	any := false
	for e, err := range s.ReadStream(ctx, slug.Stream(), eventstore.Start, eventstore.Forward, 0) {
		if err != nil {
			return nil, err
		}
		any = true
		if e.Seq <= cut {
			events = append(events, e)
		}
	}
	if !any {
		return nil, noPartnership(slug.String())
	}
	return events, nil
}

func (l *localSource) State(ctx context.Context, slug string, q projections.Query) (*projections.State, error) {
	m, err := l.modelsFor(ctx, slug)
	if err != nil {
		return nil, err
	}
	return m.State(slug, q) // an unknown partnership is fault.NotFound: bad input
}

func (l *localSource) PublicKey(ctx context.Context) (client.PublicKey, error) {
	key, err := l.a.keyForKeyCommand(ctx)
	if err != nil {
		return client.PublicKey{}, err
	}
	// The origin of the checkpoints stored, when the store exists: the vkey witnesses must pin.
	var s eventstore.Store
	if file, isBolt := boltPath(l.a.store); !isBolt || statOK(file) {
		if s, err = l.store(ctx); err != nil {
			return client.PublicKey{}, err
		}
	}
	origin, err := l.a.originFor(ctx, s, key)
	if err != nil {
		return client.PublicKey{}, err
	}
	vkey, err := audit.VerifierKey(origin, key.Public())
	if err != nil {
		return client.PublicKey{}, err
	}
	return client.PublicKey{PublicKey: key.PublicText(), KeyID: key.ID(), Algorithm: "Ed25519", Origin: origin, VKey: vkey}, nil
}

func (l *localSource) TreeHead(ctx context.Context, size uint64) (audit.TreeHead, error) {
	lg, err := l.auditLog(ctx)
	if err != nil {
		return audit.TreeHead{}, err
	}
	if size == 0 {
		return lg.LatestTreeHead(), nil
	}
	th, err := lg.TreeHead(size)
	if err != nil {
		return th, badFlag("", "size", err)
	}
	return th, nil
}

func (l *localSource) Prove(ctx context.Context, id uuid.UUID, _ ed25519.PublicKey) (audit.Bundle, error) {
	lg, err := l.auditLog(ctx)
	if err != nil {
		return audit.Bundle{}, err
	}
	b, err := lg.Prove(ctx, id)
	if errors.Is(err, eventstore.ErrNotFound) || errors.Is(err, audit.ErrOutOfRange) {
		return b, usageErrorf("no event %s in this ledger", id)
	}
	return b, err
}

func (l *localSource) Export(ctx context.Context, w io.Writer) (uint64, error) {
	s, err := l.store(ctx)
	if err != nil {
		return 0, err
	}
	return audit.Export(ctx, s, w)
}

func (l *localSource) Salvage(ctx context.Context, w io.Writer) (uint64, error, error) {
	s, err := l.a.openWith(ctx, l.a.store, false, true)
	if err != nil {
		return 0, nil, err
	}
	defer s.Close()
	return audit.Salvage(ctx, s, w)
}

func (l *localSource) Verify(ctx context.Context, opts audit.VerifyOptions) (audit.Report, error) {
	if opts.Key.Public != nil && len(opts.Heads) == 0 {
		return audit.Report{}, usageErrorf("verify: --key checks kept tree heads: give them with --tree-head FILE")
	}
	s, err := l.store(ctx)
	if err != nil {
		return audit.Report{}, err
	}
	return l.a.verifyStore(ctx, s, opts)
}

func (l *localSource) Checkpoint(ctx context.Context) ([]byte, error) {
	// Signing keeps the checkpoint in the store: open it for writing (it must exist).
	w, err := l.a.openStore(ctx, l.a.store)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := w.mustExist(); err != nil {
		return nil, err
	}
	key, err := l.a.loadKey(ctx, w)
	if err != nil {
		return nil, err
	}
	lg := audit.NewLog(w, key)
	if _, err := lg.CatchUp(ctx); err != nil {
		return nil, fmt.Errorf("build the Merkle tree: %w", err)
	}
	cpr, err := l.a.checkpointer(ctx, w, key, lg)
	if err != nil {
		return nil, err
	}
	if _, _, err := cpr.SignNow(ctx); err != nil {
		return nil, err
	}
	cp, err := cpr.Latest(ctx)
	if err != nil {
		return nil, err
	}
	return audit.WithCosignatures(cp), nil
}

func (l *localSource) ConsistencyProof(ctx context.Context, old audit.SignedHead, _ audit.PinnedKey) (audit.ConsistencyFile, error) {
	lg, err := l.auditLog(ctx)
	if err != nil {
		return audit.ConsistencyFile{}, err
	}
	if err := extendsOrFails(lg.Tree(), old); err != nil {
		return audit.ConsistencyFile{}, err
	}
	n := lg.Size()
	var now audit.SignedHead
	if old.Checkpoint != nil {
		s, err := l.store(ctx)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		origin, err := l.a.originFor(ctx, s, lg.Key())
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		if origin != old.Checkpoint.Origin {
			return audit.ConsistencyFile{}, usageErrorf("consistency-proof: the kept checkpoint names the ledger %q, this ledger signs as %q (--origin, LEDGER_ORIGIN)", old.Checkpoint.Origin, origin)
		}
		cp, err := lg.Checkpoint(origin, n)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		parsed, err := audit.ParseCheckpoint(cp.Note)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		now = audit.HeadOfCheckpoint(parsed)
	} else {
		th, err := lg.TreeHead(n)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		now = audit.HeadOfTree(th)
	}
	return proofFrom(lg.Tree(), old, now)
}

func (l *localSource) Pack(ctx context.Context, opts reviewpack.Options, formats []string, dir string) (packWritten, error) {
	s, err := l.store(ctx)
	if err != nil {
		return packWritten{}, err
	}
	key, err := l.a.loadKey(ctx, s)
	if err != nil {
		return packWritten{}, err
	}
	src, err := reviewpack.LoadSource(ctx, s, key, opts.Partnership)
	if err != nil {
		return packWritten{}, err
	}
	// The pack embeds the oldest stored checkpoint covering it with the quorum of the witnesses pinned
	// by 'pack --witness' (as a server with witnesses does), else the ledger's checkpoint at its size.
	src.Witnessed = l.a.packWitnessed
	if src.Origin, err = l.a.originFor(ctx, s, key); err != nil {
		return packWritten{}, err
	}
	if src.Checkpoints, err = checkpointStore(s); err != nil {
		return packWritten{}, err
	}
	p, err := reviewpack.Build(ctx, src, opts)
	if err != nil {
		return packWritten{}, err
	}
	m, err := reviewpack.WriteDir(p, dir, formats)
	if err != nil {
		return packWritten{}, err
	}
	return packWritten{Evidence: p.Evidence, KnownAt: p.Report.KnownAt.Requested, Manifest: m, PublicKey: key.PublicText()}, nil
}

func (l *localSource) IssueToken(ctx context.Context, role, actor, by string) (tokens.Issued, error) {
	store, err := l.a.openStore(ctx, l.a.store)
	if err != nil {
		return tokens.Issued{}, err
	}
	defer store.Close()
	return tokens.New(store, l.a.now).Issue(ctx, role, actor, by)
}

func (l *localSource) RevokeToken(ctx context.Context, id uuid.UUID, by string) error {
	store, err := l.a.openStore(ctx, l.a.store)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.mustExist(); err != nil {
		return err
	}
	if err := tokens.New(store, l.a.now).Revoke(ctx, id, by); err != nil {
		return usageErrorf("token revoke: %v", err)
	}
	return nil
}

func (l *localSource) Close() error {
	if l.s == nil {
		return nil
	}
	return l.s.Close()
}

// statOK reports whether path exists (os.Stat succeeds).
func statOK(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
