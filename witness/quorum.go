package witness

import (
	"fmt"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/partnership-ledger/ledger/fault"
)

// Cosigned is a pinned witness's cosignature of a checkpoint that verifies: the witness's key name
// and the time it signed (C2SP tlog-cosignature cosignature/v1 carries it as POSIX seconds, UTC).
type Cosigned struct {
	Witness string
	Time    time.Time
}

// Quorum is what a reader requires of a checkpoint's cosignatures: at least N of the Witnesses
// (cosignature/v1 verifiers, ParseVerifierKey) must have cosigned it.
type Quorum struct {
	Witnesses []note.Verifier
	N         int
}

// ParseQuorum reads the witnesses a reader pins (each vkey as 'ledger witness key' prints it,
// ParseVerifierKey) and how many of them must cosign: n from 1 to len(vkeys), or 0 for all of them.
// A bad vkey, a witness given twice or an n out of range is a fault.Malformed error; no vkeys and
// n == 0 is the empty Quorum, which every checkpoint meets.
func ParseQuorum(vkeys []string, n int) (Quorum, error) {
	var q Quorum
	seen := map[string]bool{}
	for _, s := range vkeys {
		v, err := ParseVerifierKey(s)
		if err != nil {
			return Quorum{}, err
		}
		id := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		if seen[id] {
			return Quorum{}, fault.Errorf(fault.Malformed, "the witness %s is given twice", v.Name())
		}
		seen[id] = true
		q.Witnesses = append(q.Witnesses, v)
	}
	switch {
	case len(q.Witnesses) == 0 && n != 0:
		return Quorum{}, fault.Errorf(fault.Malformed, "a quorum needs witnesses: give each witness's vkey")
	case n < 0 || n > len(q.Witnesses):
		return Quorum{}, fault.Errorf(fault.Malformed, "the quorum must be 1 to %d, the number of witnesses given (got %d)", len(q.Witnesses), n)
	case n == 0:
		n = len(q.Witnesses)
	}
	q.N = n
	return q, nil
}

// Check reads the cosignatures of signed (a checkpoint as a C2SP signed note with its signature
// lines) by each pinned witness, verified with golang.org/x/mod/sumdb/note and the cosignature/v1
// verifiers of github.com/transparency-dev/formats/note. It returns the witnesses that cosigned it
// (in the order pinned, with when) and the names of those that did not (a missing cosignature, or
// one that does not verify); met reports whether at least N cosigned.
func (q Quorum) Check(signed []byte) (cosigned []Cosigned, missing []string, met bool) {
	for _, v := range q.Witnesses {
		n, err := note.Open(signed, note.VerifierList(v))
		if err != nil || len(n.Sigs) == 0 {
			missing = append(missing, v.Name())
			continue
		}
		t, err := fnote.CoSigV1Timestamp(n.Sigs[0])
		if err != nil {
			missing = append(missing, v.Name())
			continue
		}
		cosigned = append(cosigned, Cosigned{Witness: v.Name(), Time: t.UTC()})
	}
	return cosigned, missing, len(cosigned) >= q.N
}
