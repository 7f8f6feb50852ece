package witness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/fault"
)

// Witness cosigns checkpoints of the logs it knows, per C2SP tlog-witness: it keeps, per log origin,
// the latest checkpoint it cosigned (State) and cosigns a new one only when its consistency proof
// from that one verifies (RFC 6962 §2.1.2, checked with transparency-dev/merkle, an implementation
// independent of the ledger's own). Its cosignatures are cosignature/v1 (c2sp.org/tlog-cosignature,
// Ed25519), which carry the time of signing. It is safe for concurrent use.
type Witness struct {
	signer note.Signer
	logs   map[string][]note.Verifier // by origin: the log's keys
	state  *State
}

// New returns a witness that signs with signer (a cosignature/v1 signer: Key.Signer) for the logs
// whose checkpoint keys are logKeys (note verifiers whose names are the logs' origins), keeping its
// memory in state.
func New(signer note.Signer, logKeys []note.Verifier, state *State) *Witness {
	w := &Witness{signer: signer, logs: map[string][]note.Verifier{}, state: state}
	for _, v := range logKeys {
		w.logs[v.Name()] = append(w.logs[v.Name()], v)
	}
	return w
}

// ConflictError is the answer to an add-checkpoint whose old size is not the size of the checkpoint
// the witness last cosigned for the log (HTTP 409 with that size, tlog-witness).
type ConflictError struct {
	Origin string
	Size   uint64 // the size the witness holds (0 when it never cosigned one)
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the witness last cosigned %q at size %d", e.Origin, e.Size)
}

// Fault is the error for people: fault.Conflict.
func (e *ConflictError) Fault() *fault.Error {
	return &fault.Error{Kind: fault.Conflict, Message: e.Error() + "; send old " + strconv.FormatUint(e.Size, 10), Err: e}
}

// Errors for the statuses of tlog-witness other than 409 are fault.Errors of these kinds:
// fault.Malformed (400), fault.Forbidden (403: no valid signature of a known key of the origin),
// fault.NotFound (404: unknown origin), fault.Unprocessable (422: the proof does not verify, or the
// checkpoint is not consistent with the one held).

// AddCheckpoint handles one add-checkpoint body: it checks the checkpoint's signature, its size and
// root against the checkpoint held for its log and the consistency proof between them, then records
// it (durably) and returns the cosignature line(s) to answer, each "— NAME BASE64\n". Errors are a
// *ConflictError or a fault.Error as listed above; nothing is recorded on any error.
func (w *Witness) AddCheckpoint(body []byte) ([]byte, error) {
	req, err := ParseAddCheckpoint(body)
	if err != nil {
		return nil, err
	}
	origin, _, _ := bytes.Cut(req.Checkpoint, []byte("\n"))
	if err := audit.CheckOrigin(string(origin)); err != nil {
		// Not an origin at all (an empty first line, spaces, control characters): malformed, not an
		// unknown log.
		return nil, malformed("the checkpoint does not start with an origin line: %s", fault.Message(err))
	}
	keys, ok := w.logs[string(origin)]
	if !ok {
		return nil, fault.Errorf(fault.NotFound, "add-checkpoint: this witness does not know the log %q", clip(origin))
	}
	n, err := note.Open(knownSignatures(req.Checkpoint, keys), note.VerifierList(keys...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			return nil, fault.Errorf(fault.Forbidden, "add-checkpoint: the checkpoint has no signature by a key this witness trusts for %q", clip(origin))
		case errors.As(err, &invalid):
			return nil, fault.Errorf(fault.Forbidden, "add-checkpoint: the signature of %s on the checkpoint does not verify", invalid.Name)
		}
		return nil, malformed("the checkpoint is not a signed note (c2sp.org/signed-note): %v", err)
	}
	cp, err := audit.ParseCheckpointText(n.Text)
	if errors.Is(err, audit.ErrEmptyTreeRoot) {
		return nil, fault.Errorf(fault.Unprocessable, "add-checkpoint: %s", fault.Message(err))
	}
	if err != nil {
		return nil, malformed("%s", fault.Message(err))
	}
	if req.OldSize > cp.Size {
		return nil, malformed("old size %d is larger than the checkpoint's size %d", req.OldSize, cp.Size)
	}
	// The log's signatures, as verified, then the witness's own.
	logSigned, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs})
	if err != nil {
		return nil, fmt.Errorf("add-checkpoint: %w", err)
	}
	var cosigs []byte
	err = w.state.update(cp.Origin, func(cur record, held bool) (record, bool, error) {
		if req.OldSize != cur.Size {
			return record{}, false, &ConflictError{Origin: cp.Origin, Size: cur.Size}
		}
		if err := consistent(req.OldSize, cp.Size, req.Proof, cur.Root, cp.Root[:], held); err != nil {
			return record{}, false, err
		}
		signed, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
		if err != nil {
			return record{}, false, fmt.Errorf("add-checkpoint: cosign: %w", err)
		}
		cosigs = signed[len(n.Text)+1:] // after the text and the empty line
		full := append(append([]byte{}, logSigned...), cosigs...)
		return record{Size: cp.Size, Root: cp.Root[:], Checkpoint: full}, true, nil
	})
	if err != nil {
		return nil, err
	}
	return cosigs, nil
}

// consistent checks the proof from the held checkpoint (size oldSize, root oldRoot; none held when
// held is false, and then oldSize is 0) to the new one, as tlog-witness requires: from size 0 the
// proof must be empty; at equal sizes the roots must be equal; otherwise an RFC 6962 §2.1.2
// consistency proof, verified by transparency-dev/merkle. Failures are fault.Unprocessable (422).
func consistent(oldSize, size uint64, prf [][]byte, oldRoot, root []byte, held bool) error {
	switch {
	case oldSize == 0 && len(prf) > 0:
		return fault.Errorf(fault.Unprocessable, "add-checkpoint: from size 0 the consistency proof must be empty")
	case oldSize == 0:
		return nil
	case !held:
		return fmt.Errorf("add-checkpoint: no record held for size %d", oldSize) // cannot happen: a size > 0 is held
	case oldSize == size && !bytes.Equal(oldRoot, root):
		return fault.Errorf(fault.Unprocessable, "add-checkpoint: the checkpoint's root at size %d is not the root this witness cosigned at that size: the log shows another history (a split view)", size)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, oldSize, size, prf, oldRoot, root); err != nil {
		return fault.Errorf(fault.Unprocessable, "add-checkpoint: the consistency proof from size %d to %d does not verify against the checkpoint this witness cosigned (%v): the log is not an extension of it", oldSize, size, err)
	}
	return nil
}

// OriginHash is the lowercase hex SHA-256 of a log's origin, which names the log in the witness's
// monitoring route GET /<origin hash>/checkpoint (tlog-witness).
func OriginHash(origin string) string {
	sum := sha256.Sum256([]byte(origin))
	return hex.EncodeToString(sum[:])
}

// Latest returns the checkpoint the witness last cosigned for the log whose OriginHash is
// originHash, with the log's signatures and the witness's cosignature (tlog-witness "Monitor
// Retrieval Mechanism"); a log it never cosigned, or does not know, is fault.NotFound.
func (w *Witness) Latest(originHash string) ([]byte, error) {
	for origin := range w.logs {
		if OriginHash(origin) != originHash {
			continue
		}
		cp, ok, err := w.state.Latest(origin)
		if err != nil || ok {
			return cp, err
		}
		break
	}
	return nil, fault.Errorf(fault.NotFound, "this witness has cosigned no checkpoint of that log")
}

// knownSignatures is the signed note cp keeping only the signature lines by a name of keys: tlog-witness
// says signatures by unknown keys MUST be ignored, and note.Open refuses a note of more than 100
// signature lines, so those lines are dropped before it reads the note. A note whose signature block
// cannot be split (no blank line) is returned as it is, for note.Open to refuse.
func knownSignatures(cp []byte, keys []note.Verifier) []byte {
	i := bytes.LastIndex(cp, []byte("\n\n"))
	if i < 0 {
		return cp
	}
	out := bytes.Clone(cp[:i+2])
	for _, line := range bytes.SplitAfter(cp[i+2:], []byte("\n")) {
		name, _, _ := bytes.Cut(bytes.TrimPrefix(line, []byte("— ")), []byte(" "))
		if !bytes.HasPrefix(line, []byte("— ")) {
			out = append(out, line...) // not a signature line: note.Open judges it
			continue
		}
		for _, k := range keys {
			if string(name) == k.Name() {
				out = append(out, line...)
				break
			}
		}
	}
	return out
}
