package witness

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/partnership-ledger/ledger/fault"
)

// MaxProofLines is the most consistency proof lines an add-checkpoint request may carry (C2SP
// tlog-witness: "The client MUST NOT send more than 63 consistency proof lines").
const MaxProofLines = 63

// MaxRequestBytes bounds an add-checkpoint body: the old size line, 63 proof lines of 45 bytes and a
// checkpoint with its signatures fit in a few KiB; a larger body is refused (413) unread.
const MaxRequestBytes = 64 << 10

// HashSize is the size of a Merkle tree hash (SHA-256, RFC 6962 §2.1).
const HashSize = 32

// AddCheckpointRequest is the body of C2SP tlog-witness "POST add-checkpoint": the size of the
// checkpoint the witness last cosigned for the log, the RFC 6962 §2.1.2 consistency proof from that
// size to the new checkpoint's, and the new checkpoint (a signed note, c2sp.org/tlog-checkpoint).
type AddCheckpointRequest struct {
	OldSize    uint64
	Proof      [][]byte // each HashSize bytes
	Checkpoint []byte   // the signed note, as sent
}

// Marshal writes the request body: "old N\n", one base64 hash per line, an empty line, the
// checkpoint (tlog-witness §add-checkpoint).
func (r AddCheckpointRequest) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", r.OldSize)
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// ParseAddCheckpoint reads an add-checkpoint body as C2SP tlog-witness prescribes: an old size line
// ("old", one space, a decimal without leading zeroes), at most MaxProofLines lines of one base64
// (RFC 4648 §4) hash each, an empty line, then the checkpoint, every line ending in "\n". Anything
// else is a fault.Malformed error (HTTP 400) saying what is wrong; the checkpoint itself is checked
// later (its signature and text). It never panics, whatever the bytes.
func ParseAddCheckpoint(body []byte) (AddCheckpointRequest, error) {
	var req AddCheckpointRequest
	line, rest, ok := bytes.Cut(body, []byte("\n"))
	if !ok {
		return req, malformed("the body must start with a line \"old SIZE\"")
	}
	num, ok := bytes.CutPrefix(line, []byte("old "))
	if !ok {
		return req, malformed("the first line must be \"old SIZE\", got %q", clip(line))
	}
	size, ok := parseDecimal(num)
	if !ok {
		return req, malformed("the old size %q is not a decimal without leading zeroes", clip(num))
	}
	req.OldSize = size
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return req, malformed("the proof must end with an empty line before the checkpoint")
		}
		if len(line) == 0 {
			break
		}
		if len(req.Proof) == MaxProofLines {
			return req, malformed("more than %d consistency proof lines", MaxProofLines)
		}
		h, err := base64.StdEncoding.Strict().DecodeString(string(line))
		if err != nil || len(h) != HashSize {
			return req, malformed("proof line %d is not the base64 of a %d-byte hash", len(req.Proof)+1, HashSize)
		}
		req.Proof = append(req.Proof, h)
	}
	if len(rest) == 0 {
		return req, malformed("no checkpoint after the empty line")
	}
	req.Checkpoint = rest
	return req, nil
}

// parseDecimal reads an ASCII decimal with no leading zeroes ("0" for zero) that fits a uint64.
func parseDecimal(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	return n, err == nil
}

func malformed(format string, args ...any) error {
	return fault.Errorf(fault.Malformed, "add-checkpoint: "+format, args...)
}

// clip shortens b for a message (at most 40 bytes).
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
