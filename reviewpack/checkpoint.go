package reviewpack

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/fault"
)

// PackCheckpoint is the C2SP checkpoint a pack embeds (docs/integrity.md §9–§10): the signed note of
// the oldest checkpoint the ledger stored whose size covers the pack's tree head and that had reached
// the ledger's witness quorum when the pack was built, with the witnesses' cosignatures as further
// signature lines and the RFC 9162 consistency proof from the tree head's size to the checkpoint's;
// or, when no stored checkpoint had, the ledger's checkpoint at the tree head's own size, with no
// cosignatures and Witnessed false. Either way a later rebuild of the same pack embeds the same bytes
// once a quorum is reached (a checkpoint's signature is deterministic; the oldest witnessed one does not
// change).
type PackCheckpoint struct {
	// Note is the signed note: origin, size and base64 root, a blank line, the ledger's signature line
	// and any cosignature lines.
	Note string `json:"note"`
	// Proof is the consistency proof from the tree head's size to the checkpoint's (empty when they
	// are equal), hex hashes.
	Proof []audit.Hash `json:"consistency_proof,omitempty"`
	// Witnessed says the checkpoint had the ledger's witness quorum when the pack was built (what the
	// builder saw: verify-pack --witness checks the cosignatures under the witnesses a reader pins).
	Witnessed bool `json:"witnessed"`
}

// CheckpointLine is the embedded checkpoint as the appendix prints it.
type CheckpointLine struct {
	Origin   string `json:"origin"`
	Size     uint64 `json:"size"`
	Root     string `json:"root"` // hex
	Note     string `json:"note"`
	Sentence string `json:"sentence"` // what it shows, and whether it had a witness quorum
}

// checkpointFor returns the checkpoint a pack of tree size size embeds (see PackCheckpoint), or nil
// when src keeps no checkpoints (Source.Checkpoints or Source.Origin unset). A stored checkpoint
// whose root is not the log's at its size is an error matching audit.ErrTampered.
func checkpointFor(ctx context.Context, src Source, size uint64) (*PackCheckpoint, error) {
	if src.Checkpoints == nil || src.Origin == "" {
		return nil, nil
	}
	if src.Witnessed != nil {
		tree := src.Log.Tree()
		for cp, err := range src.Checkpoints.Checkpoints(ctx, size) {
			if err != nil {
				return nil, fmt.Errorf("checkpoints: %w", err)
			}
			if cp.Size > src.Log.Size() || !src.Witnessed(cp) {
				continue
			}
			root, err := tree.Root(cp.Size)
			if err != nil {
				return nil, err
			}
			if root != cp.Root {
				return nil, fmt.Errorf("%w: the stored checkpoint of size %d has root %s, the log's is %s", audit.ErrTampered, cp.Size, cp.Root, root)
			}
			pc := &PackCheckpoint{Note: string(audit.WithCosignatures(cp)), Witnessed: true}
			if cp.Size > size {
				if pc.Proof, err = tree.ConsistencyProof(size, cp.Size); err != nil {
					return nil, err
				}
			}
			return pc, nil
		}
	}
	cp, err := src.Log.Checkpoint(src.Origin, size)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return &PackCheckpoint{Note: string(cp.Note)}, nil
}

// checkpointLine is the appendix's account of ev's checkpoint (nil without one, or with one that
// cannot be read: the verifier names that).
func checkpointLine(ev *Evidence) *CheckpointLine {
	if ev.Checkpoint == nil {
		return nil
	}
	cp, err := audit.ParseCheckpoint([]byte(ev.Checkpoint.Note))
	if err != nil {
		return nil
	}
	th := ev.TreeHead
	var s strings.Builder
	if cp.Size == th.Size {
		fmt.Fprintf(&s, "The ledger's checkpoint of size %d (C2SP tlog-checkpoint, signed with the same key) commits to the same root as the tree head above.", cp.Size)
	} else {
		fmt.Fprintf(&s, "The ledger's checkpoint of size %d (C2SP tlog-checkpoint, signed with the same key) extends the tree head above: the consistency proof of %s from size %d links the two roots.",
			cp.Size, words.Count(len(ev.Checkpoint.Proof), "hash", "hashes"), th.Size)
	}
	if ev.Checkpoint.Witnessed {
		fmt.Fprintf(&s, " It carries %s of the ledger's witnesses, who cosign a checkpoint only when it extends every one they cosigned before; 'ledger verify-pack --witness VKEY --quorum N' checks them under the witnesses you trust.",
			words.Count(cosignatureLines(ev.Checkpoint.Note, cp.Origin), "cosignature", "cosignatures"))
	} else {
		s.WriteString(" It has no witness quorum yet: no checkpoint covering this pack had been cosigned by the ledger's witnesses when the pack was built, so this pack alone cannot show that everyone was shown the same ledger; rebuild it later to embed a witnessed checkpoint.")
	}
	return &CheckpointLine{Origin: cp.Origin, Size: cp.Size, Root: cp.Root.String(), Note: ev.Checkpoint.Note, Sentence: s.String()}
}

// checkpointStep is the step of Appendix C that checks the checkpoint's witnesses ("" without a
// checkpoint).
func checkpointStep(ev *Evidence) string {
	if ev.Checkpoint == nil {
		return ""
	}
	s := "Was everyone shown the same ledger? The checkpoint in Appendix B is the ledger's signed statement in the format transparency tools read (C2SP tlog-checkpoint). " +
		"Witnesses run by others than the ledger's operator (a partner council, the external auditor) cosign a checkpoint only when it extends every one they cosigned before, so a ledger that showed one history to one council and another to the next could not have both cosigned. " +
		"Run “ledger verify-pack pack.json --key PUBKEY --witness VKEY --quorum N”, with the key of each witness you trust, obtained from whoever runs it: it prints which of them cosigned and when, and refuses the pack if fewer than N did."
	if !ev.Checkpoint.Witnessed {
		s += " This pack's checkpoint had no witness quorum yet when it was built: ask for the pack again later."
	}
	return s
}

// cosignatureLines counts the signature lines of a signed note by keys not named origin.
func cosignatureLines(note, origin string) int {
	_, sigs, _ := strings.Cut(note, "\n\n")
	n := 0
	for _, line := range strings.Split(sigs, "\n") {
		if name, ok := strings.CutPrefix(line, "— "); ok && !strings.HasPrefix(name, origin+" ") {
			n++
		}
	}
	return n
}

// checkCheckpoint checks ev's checkpoint, if any, under pub: the ledger's signature, a size not
// below the tree head's, and the consistency proof from the tree head's root to the checkpoint's
// (equal roots at equal sizes). It returns the problems found, each naming the checkpoint.
func checkCheckpoint(ev *Evidence, pub ed25519.PublicKey) []string {
	if ev.Checkpoint == nil {
		return nil
	}
	cp, err := audit.VerifyCheckpoint([]byte(ev.Checkpoint.Note), audit.PinnedKey{Public: pub})
	if err != nil {
		return []string{fmt.Sprintf("checkpoint: %s", errText(err))}
	}
	th := ev.TreeHead
	if cp.Size < th.Size {
		return []string{fmt.Sprintf("checkpoint: its size %d is below the tree head's %d: it does not cover the pack", cp.Size, th.Size)}
	}
	if err := audit.VerifyConsistency(th.Size, cp.Size, th.Root, cp.Root, ev.Checkpoint.Proof); err != nil {
		return []string{fmt.Sprintf("checkpoint: the checkpoint of size %d (root %s) is not shown to extend the tree head of size %d (root %s): %v", cp.Size, cp.Root, th.Size, th.Root, err)}
	}
	return nil
}

// errText is err's message for people (fault.Message), else its text.
func errText(err error) string {
	if m := fault.Message(err); m != "" {
		return m
	}
	return err.Error()
}
