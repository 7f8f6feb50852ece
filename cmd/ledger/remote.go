package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/tokens"
)

// serverSource reads a ledger from a running server (--server) through its HTTP API. It never opens a
// store or a key file here. What an auditor checks (verify, check-consistency) is downloaded and checked
// on this machine against the key pinned with --key: the server's own verdict is never relayed.
type serverSource struct {
	a *app
	c *client.Client
}

func (s *serverSource) PartnershipEvents(ctx context.Context, slug domain.PartnershipSlug, k projections.KnownAt, text string) ([]eventstore.Event, error) {
	// The list resolves known_at over the whole log, whether or not the partnership existed by then;
	// with none, it is the log's last seq: what the server claims first bounds the pages it may send.
	q := client.Query{}
	if !k.IsAll() {
		q.KnownAt = text
	}
	l, err := s.c.List(ctx, q)
	if err != nil {
		return nil, err
	}
	events := []eventstore.Event{}
	for e, err := range s.c.PartnershipEvents(ctx, slug.String(), l.KnownAt.Seq) {
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

func (s *serverSource) State(ctx context.Context, slug string, q projections.Query) (*projections.State, error) {
	return s.c.State(ctx, slug, client.Query{AsOf: q.AsOf.String(), KnownAt: q.KnownAt.String()})
}

func (s *serverSource) PublicKey(ctx context.Context) (client.PublicKey, error) {
	return s.c.Key(ctx)
}

func (s *serverSource) TreeHead(ctx context.Context, size uint64) (audit.TreeHead, error) {
	return s.c.TreeHead(ctx, size)
}

// Prove downloads the bundle (the client refuses one of another event) and checks it before it is
// written, as check-proof would: under pub when one is pinned (--key), else its inclusion proof
// against its own signed head's root. A bundle that does not check is the server's fault (exit 1).
func (s *serverSource) Prove(ctx context.Context, id uuid.UUID, pub ed25519.PublicKey) (audit.Bundle, error) {
	b, err := s.c.Proof(ctx, id)
	if err != nil {
		return b, err
	}
	if pub != nil {
		err = audit.CheckBundle(b, pub)
	} else {
		err = audit.CheckBundleProof(b)
	}
	if err != nil {
		return b, &exitError{code: 1, err: fmt.Errorf("the server at %s sent a proof of event %s that does not check: %v", s.c.Base(), id, err)}
	}
	return b, nil
}

// events yields the server's global log from seq 1 up to seq upTo (the size of a tree head it signed),
// and ends with an error naming the seqs missing, if any. The ledger's own streams (ledger-*) are
// served to auditors only: without a token a gap asks for one (bad input, exit 2); with one, the
// server left out events it should have sent (exit 1: the token is not an auditor's, or the server
// lost or hides them).
func (s *serverSource) events(ctx context.Context, upTo uint64) iter.Seq2[eventstore.Event, error] {
	return func(yield func(eventstore.Event, error) bool) {
		next := uint64(1)
		missing := func(to uint64) {
			if !s.c.HasToken() {
				yield(eventstore.Event{}, usageErrorf("the server at %s did not send events seq %d to %d: it serves the ledger's own streams (ledger-*) to auditors only; give an auditor token with --token-file FILE or LEDGER_TOKEN",
					s.c.Base(), next, to))
				return
			}
			yield(eventstore.Event{}, fmt.Errorf("the server at %s did not send events seq %d to %d, which its signed tree head of size %d covers: the token is not an auditor's, or the server lost or hides them",
				s.c.Base(), next, to, upTo))
		}
		for e, err := range s.c.Events(ctx, 0, upTo) {
			if err != nil {
				yield(e, err)
				return
			}
			if e.Seq != next {
				missing(e.Seq - 1)
				return
			}
			next = e.Seq + 1
			if !yield(e, nil) {
				return
			}
		}
		if next <= upTo {
			missing(upTo)
		}
	}
}

// Export writes the events up to the server's latest signed tree head (events recorded meanwhile wait
// for the next export), as the local export writes them.
func (s *serverSource) Export(ctx context.Context, w io.Writer) (uint64, error) {
	th, err := s.c.TreeHead(ctx, 0)
	if err != nil {
		return 0, err
	}
	return audit.ExportEvents(ctx, s.events(ctx, th.Size), w)
}

func (s *serverSource) Salvage(ctx context.Context, w io.Writer) (uint64, error, error) {
	return 0, nil, usageErrorf("--salvage reads a damaged bolt file on this machine; it does not go with --server (a plain export reads the server's log)")
}

// Verify downloads the server's latest signed tree head and checks it under the pinned opts.Key, then
// downloads every event up to it and verifies them here as the local verify does (audit.VerifyLog:
// each hash, chain, seq and the Merkle tree, then opts.Heads), and holds the tree to the server's head
// (audit.CheckExtends): a server that sends an altered event, leaves one out, or signs with another key
// fails, naming what.
func (s *serverSource) Verify(ctx context.Context, opts audit.VerifyOptions) (audit.Report, error) {
	if opts.Key.Public == nil {
		return audit.Report{}, usageErrorf("verify: --key PUBKEY is required with --server: what the server sends is checked against the tree head it signed, under the key you pinned ('ledger key' on the ledger's machine prints it)")
	}
	th, err := s.c.TreeHead(ctx, 0)
	if err != nil {
		return audit.Report{}, err
	}
	if err := audit.VerifyTreeHead(th, opts.Key.Public); err != nil {
		if errors.Is(err, audit.ErrWrongKey) {
			return audit.Report{}, &exitError{code: 1, err: fmt.Errorf("the server at %s signs its tree head (size %d, key id %s) with a key other than the pinned one (key id %s)",
				s.c.Base(), th.Size, th.KeyID, opts.Key.ID())}
		}
		return audit.Report{}, &exitError{code: 1, err: fmt.Errorf("the server at %s sent a tree head (size %d, root %s) whose signature does not verify under the pinned key (key id %s): the head was altered or forged",
			s.c.Base(), th.Size, th.Root, opts.Key.ID())}
	}
	p := s.a.newProgress("verifying "+s.c.Base(), th.Size)
	opts.Progress = p.Update
	rep, tree, err := audit.VerifyLog(ctx, s.events(ctx, th.Size), opts)
	if err != nil {
		return rep, err // verify and check-consistency both come here: the command is not named
	}
	if rep.FirstBad == nil {
		if err := audit.CheckExtends(tree, audit.HeadOfTree(th), opts.Key); err != nil {
			return rep, &exitError{code: 1, err: fmt.Errorf("the %d events the server at %s sent are not the ones its signed tree head of size %d (root %s) covers: %v",
				rep.Events, s.c.Base(), th.Size, th.Root, err)}
		}
	}
	p.Done(rep.Events)
	return rep, nil
}

// Checkpoint is GET /checkpoint, as the server sent it.
func (s *serverSource) Checkpoint(ctx context.Context) ([]byte, error) {
	return s.c.Checkpoint(ctx)
}

// ConsistencyProof asks the server for the proof from old to its latest head of old's kind (GET
// /v1/audit/consistency, and GET /checkpoint for a checkpoint), and holds the proof to old's root: a
// server whose ledger does not extend old fails (exit 1, naming both).
func (s *serverSource) ConsistencyProof(ctx context.Context, old audit.SignedHead, pin audit.PinnedKey) (audit.ConsistencyFile, error) {
	var now audit.SignedHead
	to := uint64(0)
	if old.Checkpoint != nil {
		text, err := s.c.Checkpoint(ctx)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		cp, err := audit.ParseCheckpoint(text)
		if err != nil {
			return audit.ConsistencyFile{}, err // Checkpoint checked it already
		}
		now, to = audit.HeadOfCheckpoint(cp), cp.Size
	} else {
		th, err := s.c.TreeHead(ctx, 0)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		now, to = audit.HeadOfTree(th), th.Size
	}
	if err := now.Verify(pin); err != nil {
		return audit.ConsistencyFile{}, &exitError{code: 1, err: fmt.Errorf("the server at %s sent a %s that does not verify under the key it serves (key id %s): %s", s.c.Base(), now, pin.ID(), errMessage(err))}
	}
	if old.Size() > to {
		return audit.ConsistencyFile{}, &exitError{code: 1, err: fmt.Errorf("NOT CONSISTENT: the server at %s has signed the ledger up to size %d (root %s), smaller than the kept %s",
			s.c.Base(), to, now.Root(), old)}
	}
	proof := []audit.Hash{}
	if old.Size() > 0 && old.Size() < to {
		c, err := s.c.Consistency(ctx, old.Size(), to)
		if err != nil {
			return audit.ConsistencyFile{}, err
		}
		proof = c.Proof
	}
	if err := audit.VerifyConsistency(old.Size(), to, old.Root(), now.Root(), proof); err != nil {
		// NOT CONSISTENT only for a proven inconsistency (the proof reaches the signed root from another
		// root at the kept size), as audit follow does; a proof that merely fails is the server's failure.
		if errors.Is(err, audit.ErrInconsistent) {
			return audit.ConsistencyFile{}, &exitError{code: 1, err: fmt.Errorf("NOT CONSISTENT: the server at %s proves that its %s does not extend the kept %s: %v",
				s.c.Base(), now, old, err)}
		}
		return audit.ConsistencyFile{}, &exitError{code: 1, err: fmt.Errorf("the server at %s did not prove that its %s extends the kept %s: the consistency proof it sent does not verify (%v); nothing was written",
			s.c.Base(), now, old, err)}
	}
	return audit.ConsistencyFile{From: old, To: now, Proof: proof}, nil
}

// Pack fetches the pack in each format as the server renders it (pack.json first: it says what the
// pack is) and writes them with their manifest as the local pack does (reviewpack.WriteRendered): the
// same files, byte for byte, for the same ledger. Nothing is signed here.
func (s *serverSource) Pack(ctx context.Context, opts reviewpack.Options, formats []string, dir string) (packWritten, error) {
	q := client.PackQuery{Query: client.Query{AsOf: opts.AsOf.String(), KnownAt: opts.KnownAt.String()},
		Committee: opts.Cover.Committee, Meetings: opts.Cover.Meetings, Author: opts.Cover.Author}
	if opts.Since != nil {
		q.Since = opts.Since.String()
	}
	if !opts.KnownAt.Given() {
		q.KnownAt = "" // the server's default: the end of the as-of day
	}
	rawJSON, err := s.c.ReviewPack(ctx, opts.Partnership, q, "json")
	if err != nil {
		return packWritten{}, err
	}
	var f reviewpack.File
	if err := json.Unmarshal(rawJSON, &f); err != nil || f.Evidence == nil || f.Report == nil {
		if err == nil {
			err = errors.New("evidence or report missing")
		}
		return packWritten{}, &client.TransportError{Method: http.MethodGet, Path: "review-pack?format=json", Err: fmt.Errorf("not a review pack: %v", err)}
	}
	key, err := s.c.Key(ctx)
	if err != nil {
		return packWritten{}, err
	}
	if !slices.Contains(formats, "json") {
		formats = append(slices.Clone(formats), "json")
	}
	m, err := reviewpack.WriteRendered(dir, f.Evidence, formats, func(format string) ([]byte, error) {
		if format == "json" {
			return rawJSON, nil
		}
		return s.c.ReviewPack(ctx, opts.Partnership, q, format)
	})
	if err != nil {
		return packWritten{}, err
	}
	return packWritten{Evidence: f.Evidence, KnownAt: f.Report.KnownAt.Requested, Manifest: m, PublicKey: key.PublicKey}, nil
}

// IssueToken is POST /v1/admin/tokens; the server records its own caller as the issuer.
func (s *serverSource) IssueToken(ctx context.Context, role, actor, _ string) (tokens.Issued, error) {
	return s.c.IssueToken(ctx, role, actor)
}

// RevokeToken is DELETE /v1/admin/tokens/{id}.
func (s *serverSource) RevokeToken(ctx context.Context, id uuid.UUID, _ string) error {
	return s.c.RevokeToken(ctx, id)
}

func (s *serverSource) Close() error { return nil }
