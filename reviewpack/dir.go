package reviewpack

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// ManifestName is the file in a pack directory that lists every other file with its SHA-256.
const ManifestName = "manifest.json"

// MaxFileBytes is the most VerifyDir reads of one pack file (pack.json, a rendering), and the most a
// client downloads of one: a file larger, or one that never ends, is refused (audit.ErrFileTooLarge)
// rather than read whole. A pack of a partnership's hundreds of events is well under 1 MiB.
const MaxFileBytes = 64 << 20

// MaxManifestBytes is the most VerifyDir reads of manifest.json (five file entries, well under 1 KiB).
const MaxManifestBytes = 1 << 20

// Manifest is manifest.json: what the pack is, and each file's digest.
type Manifest struct {
	Format      string         `json:"format"` // FormatVersion
	Partnership string         `json:"partnership"`
	AsOf        string         `json:"as_of"`
	KnownAt     string         `json:"known_at"`
	TreeSize    uint64         `json:"tree_size"`
	TreeRoot    audit.Hash     `json:"tree_root"`
	Files       []ManifestFile `json:"files"`
}

// ManifestFile is one file of the pack.
type ManifestFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// WriteDir renders the pack in each format into dir (created if missing) as pack.<format>, then writes
// manifest.json. pack.json is always written: it is what verify-pack checks. A format that fails to
// render or to be written does not stop the others: they and the manifest (listing what was written)
// are still written, and the error, on one line, names each file not written and why, then the files
// written; it wraps each cause. It returns the manifest, or an error matching ErrUnknownFormat (then
// nothing is written), a renderer's or the file system's.
func WriteDir(p *Pack, dir string, formats []string) (Manifest, error) {
	if !slices.Contains(formats, "json") {
		formats = append(slices.Clone(formats), "json")
	}
	return WriteRendered(dir, p.Evidence, formats, func(format string) ([]byte, error) {
		var buf bytes.Buffer
		err := p.Render(format, &buf)
		return buf.Bytes(), err
	})
}

// WriteRendered writes a pack whose formats are rendered elsewhere (`ledger pack --server` fetches
// them from the server) into dir as WriteDir does: each format of formats, in the canonical order,
// as pack.<format> with the bytes render gives for it, then manifest.json describing ev. The files
// are what WriteDir writes for the same pack. Errors as WriteDir's.
func WriteRendered(dir string, ev *Evidence, formats []string, render func(format string) ([]byte, error)) (Manifest, error) {
	for _, f := range formats {
		if _, err := ContentType(f); err != nil {
			return Manifest{}, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: FormatVersion, Partnership: ev.Partnership, AsOf: ev.AsOf,
		KnownAt: ev.KnownAt, TreeSize: ev.TreeHead.Size, TreeRoot: ev.TreeHead.Root}
	var failed []error
	for _, f := range Formats { // the canonical order, whatever order was asked for
		if !slices.Contains(formats, f) {
			continue
		}
		body, err := render(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, FileName(f)), body, 0o644)
		}
		if err != nil {
			failed = append(failed, fmt.Errorf("%s not written: %w", FileName(f), err))
			continue
		}
		sum := sha256.Sum256(body)
		m.Files = append(m.Files, ManifestFile{Name: FileName(f), SHA256: hex.EncodeToString(sum[:]), Bytes: len(body)})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestName), append(b, '\n'), 0o644); err != nil {
		return Manifest{}, err
	}
	if len(failed) > 0 {
		return m, &partialError{failed: failed, m: m}
	}
	return m, nil
}

// partialError is WriteDir's error when some files were written and others were not.
type partialError struct {
	failed []error
	m      Manifest
}

func (e *partialError) Error() string {
	msgs := make([]string, len(e.failed))
	for i, err := range e.failed {
		msgs[i] = err.Error()
	}
	written := make([]string, 0, len(e.m.Files)+1)
	for _, f := range e.m.Files {
		written = append(written, f.Name)
	}
	return strings.Join(msgs, "; ") + " (wrote " + strings.Join(append(written, ManifestName), ", ") + ")"
}

func (e *partialError) Unwrap() []error { return e.failed }

// ErrRefused is matched (errors.Is) by VerifyDir's error when a pack does not verify.
var ErrRefused = errors.New("reviewpack: pack refused")

// ErrNotAPack is matched by VerifyDir's and VerifyFile's error when the pack.json is not a pack's
// pack.json at all (not complete JSON, or not a JSON object naming a pack format): bad input rather
// than a damaged pack. The error is a *NotAPackError saying why.
var ErrNotAPack = errors.New("reviewpack: not a review pack")

// NotAPackError says why a file is not a pack's pack.json: Reason is for people ("not complete JSON:
// it ends at byte 5000 (line 1, column 5001) before the value does", "it names no pack format").
type NotAPackError struct {
	Name   string // the file as named (its base name)
	Reason string
}

func (e *NotAPackError) Error() string {
	return e.Name + " is not a review pack's pack.json: " + e.Reason
}

// Is makes a *NotAPackError match ErrNotAPack.
func (e *NotAPackError) Is(target error) bool { return target == ErrNotAPack }

// RefusedError lists everything that failed when a pack was checked, each naming the file and what
// in it failed.
type RefusedError struct {
	Problems []string
}

func (e *RefusedError) Error() string {
	return "review pack refused: " + strings.Join(e.Problems, "; ")
}

// Is makes a *RefusedError match ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Verified is what a successful check found.
type Verified struct {
	Partnership string
	AsOf        string
	KnownAt     string
	Format      string // pack.json's format: FormatVersion, or one of EarlierFormats
	TreeHead    TreeHead
	Checkpoint  *PackCheckpoint // the embedded checkpoint, checked against the tree head; nil if none
	Events      int             // events checked against the tree head
	// Rebuilt reports that the report in pack.json was rebuilt from its events and matched, and that
	// every rendering present was re-rendered and matched byte for byte (the current format only).
	Rebuilt bool
	Files   []string // pack files checked, in Formats order
	// Absent names the pack files (renderings and manifest.json) that were not checked because they
	// were not there: a pack downloaded as pack.json alone lacks all of them.
	Absent []string
	// Unchecked names renderings of an earlier format that were present but could be checked against
	// nothing (no manifest.json beside them).
	Unchecked []string
}

// EarlierFormats are the pack formats written by earlier versions of the ledger that VerifyDir and
// VerifyFile still accept, each with what changed after it. Their events, audit paths and signed tree
// head are checked exactly as today's; their report and renderings were composed by that version's
// rules, which this version no longer has, so they are checked only against manifest.json's SHA-256s.
var EarlierFormats = map[string]string{
	"ledger-review-pack-v2": "before issue 21: the report's facts, wording and typography were revised",
	"ledger-review-pack-v3": "before issue 21's committee review: assumed minute details, dates and certainty were put in words",
	"ledger-review-pack-v4": "before issue 23: corrected fields and their values were put in words",
}

// VerifyDir checks a pack directory offline against a pinned public key:
//
//  1. pack.json's signed tree head verifies under pub;
//  2. every event in it hashes to its recorded hash from its own fields, chains to the one before it in
//     the stream, and its audit path leads to the tree head's root;
//  3. the events are the partnership's whole stream up to the tree head (nothing left out);
//  4. the report in pack.json is exactly what those events give (Compose), so an edited fact is caught;
//  5. every other pack file present is byte for byte what the rebuilt pack renders to;
//  6. manifest.json, when present, lists every pack file with its SHA-256 and size.
//
// A rendering or manifest.json that is absent is not a failure (a member may have downloaded
// pack.json alone); Verified.Absent names it. A pack of an earlier format (EarlierFormats) gets checks
// 1–3, and its files are checked against manifest.json (5 and 6 without rebuilding). Failures name the
// file and, for an event, its number [n] (the seq the report cites) and its event id.
//
// It returns a *RefusedError (ErrRefused) naming every failure of a pack.json that names a pack format
// (an event left out named from the revisions around it, a member of the wrong kind by its JSON
// pointer); a *NotAPackError (ErrNotAPack) for a pack.json that is not complete JSON or names no pack
// format; an *audit.FileTooLargeError for a pack file larger than MaxFileBytes; or an error for a
// directory it cannot read at all (os.ErrNotExist when it has no pack.json).
func VerifyDir(ctx context.Context, dir string, pub ed25519.PublicKey) (Verified, error) {
	return verify(ctx, dir, filepath.Join(dir, FileName("json")), pub)
}

// VerifyFile checks one pack.json on its own (a pack downloaded as one file, under any name) as
// VerifyDir checks a directory's pack.json: the signature, every event and audit path, and the report
// rebuilt from the events. It looks at no other file: every rendering and manifest.json are reported
// in Verified.Absent. Errors as VerifyDir's.
func VerifyFile(ctx context.Context, path string, pub ed25519.PublicKey) (Verified, error) {
	return verify(ctx, "", path, pub)
}

// packFile is pack.json as read by the verifier: the report stays raw until the format says how to
// read it.
type packFile struct {
	Format string `json:"format"`
	*Evidence
	Report json.RawMessage `json:"report"`
}

// verify checks the pack.json at path, and, when dir is not "", the other files in dir.
func verify(ctx context.Context, dir, path string, pub ed25519.PublicKey) (Verified, error) {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var v Verified
	jsonName := filepath.Base(path)

	raw, err := audit.ReadFileAtMost(path, MaxFileBytes)
	if err != nil {
		return v, err // a file larger than MaxFileBytes is an *audit.FileTooLargeError: bad input
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		ptr, why := fault.JSONProblemIn(raw, err)
		if ptr != "" {
			why = ptr + ": " + why
		}
		return v, &NotAPackError{Name: jsonName, Reason: why}
	}
	if head.Format == "" {
		return v, &NotAPackError{Name: jsonName, Reason: `it names no pack format (its "format" member)`}
	}
	_, earlier := EarlierFormats[head.Format]
	if head.Format != FormatVersion && !earlier {
		return v, &RefusedError{Problems: []string{fmt.Sprintf("%s is format %q; this ledger checks %q and the earlier %s",
			jsonName, head.Format, FormatVersion, strings.Join(slices.Sorted(maps.Keys(EarlierFormats)), ", "))}}
	}
	if earlier {
		// An earlier format's report is not rebuilt, so its label must not be a way out of the check:
		// the pack must hold only members that format had, at every depth (formats/<format>.json).
		if ptr := foreignMember(raw, formatShape(head.Format)); ptr != "" {
			return v, &RefusedError{Problems: []string{fmt.Sprintf("%s is labelled %s, but carries %s, a member that format never had: a pack of a later format relabelled to escape the report's check",
				jsonName, head.Format, ptr)}}
		}
	}
	var f packFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil || f.Evidence == nil || len(f.Report) == 0 || string(f.Report) == "null" {
		why := "its events or its report is missing"
		if err != nil {
			why = jsonMemberProblem(raw, "", err)
			if at := eventAtFault(raw); at != "" && !strings.HasPrefix(why, "/") {
				why = at + ": " + why // a value's own decoder (a hash, an id) says not where it is
			}
		}
		return v, &RefusedError{Problems: []string{fmt.Sprintf("%s cannot be read: %s", jsonName, why)}}
	}
	var report *Report
	if !earlier {
		dec := json.NewDecoder(bytes.NewReader(f.Report))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&report); err != nil {
			return v, &RefusedError{Problems: []string{fmt.Sprintf("%s cannot be read: %s", jsonName, jsonMemberProblem(f.Report, "/report", err))}}
		}
	}
	ev := f.Evidence
	v.Partnership, v.AsOf, v.KnownAt, v.TreeHead, v.Events, v.Format = ev.Partnership, ev.AsOf, ev.KnownAt, ev.TreeHead, len(ev.Events), f.Format
	headSigned := true
	if err := audit.VerifyTreeHead(ev.TreeHead, pub); err != nil {
		// Said once: every audit path leads to a root the key did not sign, so none is blamed.
		fail("%s: signed tree head: %v (so no event's audit path was checked against its root)", jsonName, err)
		headSigned = false
	}
	problems = append(problems, checkCheckpoint(ev, pub)...)
	v.Checkpoint = ev.Checkpoint
	var latest *eventstore.Event               // the event of the highest revision so far: the one e chains to
	at := make(map[uint64]int, len(ev.Events)) // a revision's last place in the list
	for i, ce := range ev.Events {
		at[ce.Event.Revision] = i
	}
	for i, ce := range ev.Events {
		// An event left out of the stream shows as a gap in the revisions before it breaks the
		// chain: the gap is named, and the chain across it is not blamed.
		want, missing := eventstore.ZeroHash, missingBefore(latest, ce.Event, i, at)
		if latest != nil {
			want = latest.Hash
		}
		if missing != "" {
			want = ce.Event.PrevHash
		}
		if err := checkEvent(ce, want, ev.TreeHead, headSigned); err != nil {
			fail("%s: event [%d] (id %s, %s): %v", jsonName, ce.Event.Seq, ce.Event.ID, ce.Event.Type, err)
		} else if missing != "" {
			fail("%s: %s", jsonName, missing)
		}
		if latest == nil || ce.Event.Revision > latest.Revision {
			latest = &ev.Events[i].Event
		}
	}
	if len(problems) > 0 {
		return v, &RefusedError{Problems: problems}
	}

	// Compose also refuses a stream with an event left out (ErrIncomplete), whatever the format.
	rebuilt, err := Compose(ctx, ev)
	if err != nil {
		return v, &RefusedError{Problems: []string{fmt.Sprintf("%s: %v", jsonName, err)}}
	}
	var pack *Pack
	if !earlier {
		if missing := citedNotHeld(f.Report, ev); len(missing) > 0 {
			return v, &RefusedError{Problems: []string{fmt.Sprintf("%s: the report cites %s, which the pack does not hold (an event left out of its events)", jsonName, refsText(missing))}}
		}
		if diff := reportDiff(report, rebuilt); diff != "" {
			fail("%s: the report does not match the events it cites: %s differs", jsonName, diff)
		}
		pack = &Pack{Report: rebuilt, Evidence: ev}
		v.Rebuilt = true
	}

	if dir == "" {
		v.Files = []string{FileName("json")}
		for _, format := range Formats {
			if format != "json" {
				v.Absent = append(v.Absent, FileName(format))
			}
		}
		v.Absent = append(v.Absent, ManifestName)
		if len(problems) > 0 {
			return v, &RefusedError{Problems: problems}
		}
		return v, nil
	}

	man, manErr := readManifest(dir, f.Format)
	noManifest := errors.Is(manErr, os.ErrNotExist)
	switch {
	case noManifest:
		v.Absent = append(v.Absent, ManifestName)
	case manErr != nil:
		fail("%s: %v", ManifestName, manErr)
	}
	listed := map[string]ManifestFile{}
	for _, mf := range man.Files {
		listed[mf.Name] = mf
	}
	for _, format := range Formats {
		name := FileName(format)
		got := raw
		if format != "json" {
			got, err = audit.ReadFileAtMost(filepath.Join(dir, name), MaxFileBytes)
			if errors.Is(err, os.ErrNotExist) {
				if _, ok := listed[name]; ok {
					fail("%s: listed in the manifest but missing", name)
				} else {
					v.Absent = append(v.Absent, name)
				}
				continue
			}
			if err != nil {
				return v, err
			}
		}
		if format != "json" && pack != nil {
			var want bytes.Buffer
			if err := pack.Render(format, &want); err != nil {
				return v, err
			}
			if !bytes.Equal(got, want.Bytes()) {
				fail("%s: does not match the pack rebuilt from the events in pack.json (edited, or built by another version)", name)
			}
		}
		if format != "json" && pack == nil && manErr != nil {
			v.Unchecked = append(v.Unchecked, name)
			continue
		}
		v.Files = append(v.Files, name)
		sum := sha256.Sum256(got)
		switch mf, ok := listed[name]; {
		case manErr != nil:
		case !ok:
			fail("%s: not listed in the manifest", name)
		case mf.SHA256 != hex.EncodeToString(sum[:]):
			fail("%s: SHA-256 %x does not match the manifest's %s", name, sum, mf.SHA256)
		}
	}
	if manErr == nil && (man.TreeSize != ev.TreeHead.Size || man.TreeRoot != ev.TreeHead.Root || man.Partnership != ev.Partnership) {
		fail("%s: names another pack (partnership %s, tree size %d) than pack.json", ManifestName, man.Partnership, man.TreeSize)
	}
	if len(problems) > 0 {
		return v, &RefusedError{Problems: problems}
	}
	return v, nil
}

// missingBefore says which events of the stream are missing before e, the i-th event of a pack's
// evidence, from the revisions, which count a stream's events from 0; latest is the event of the
// highest revision before it in the list (nil for the first), at the last place of each revision in
// the list. It is "one event of the stream is missing between [11] and [13] …", or "" when e is the
// next revision (or the stream's first); a revision that comes later in the list is not missing, and
// e is then named as out of order, as is an event repeated or placed after a later one.
func missingBefore(latest *eventstore.Event, e eventstore.Event, i int, at map[uint64]int) string {
	from := uint64(0) // the revision e should be
	if latest != nil {
		if e.Revision <= latest.Revision {
			return fmt.Sprintf("event [%d] (id %s) is revision %d of %s, yet follows [%d], revision %d: the events are repeated or out of order",
				e.Seq, e.ID, e.Revision, e.Stream, latest.Seq, latest.Revision)
		}
		from = latest.Revision + 1
	}
	for r := from; r < e.Revision && r < from+uint64(len(at)); r++ {
		if j, ok := at[r]; ok && j > i {
			return fmt.Sprintf("event [%d] (id %s) is revision %d of %s, but revision %d comes later in the list: the events are out of order",
				e.Seq, e.ID, e.Revision, e.Stream, r)
		}
	}
	n := e.Revision - from
	switch {
	case n == 0:
		return ""
	case latest == nil:
		return fmt.Sprintf("%s of the stream %s missing before the first event given, [%d] (id %s), which is revision %d (revisions count from 0)",
			words.Count(int(min(n, 1<<30)), "event", "events"), map[bool]string{true: "is", false: "are"}[n == 1], e.Seq, e.ID, e.Revision)
	}
	return fmt.Sprintf("%s of the stream %s missing between [%d] and [%d] (id %s): they are revisions %d and %d of %s",
		words.Count(int(min(n, 1<<30)), "event", "events"), map[bool]string{true: "is", false: "are"}[n == 1], latest.Seq, e.Seq, e.ID, latest.Revision, e.Revision, e.Stream)
}

// jsonMemberProblem says what is wrong with the JSON value doc that err (from decoding it) found,
// naming the member by its pointer with at prefixed: "/events/3/leaf_index: must be a whole number
// from 0 to 18446744073709551615, not a JSON number -1" (fault.JSONProblemIn).
func jsonMemberProblem(doc []byte, at string, err error) string {
	ptr, why := fault.JSONProblemIn(doc, err)
	if ptr = at + ptr; ptr != "" {
		return ptr + ": " + why
	}
	return why
}

// eventAtFault is the pointer of the first of pack.json's events that does not decode on its own
// ("/events/3"), or "" when they all do (or raw's events are not a list).
func eventAtFault(raw []byte) string {
	var probe struct {
		Events []json.RawMessage `json:"events"`
	}
	if json.Unmarshal(raw, &probe) != nil {
		return ""
	}
	for i, e := range probe.Events {
		var ce CitedEvent
		if json.Unmarshal(e, &ce) != nil {
			return fmt.Sprintf("/events/%d", i)
		}
	}
	return ""
}

// checkEvent recomputes an event's hash, checks that it chains to prev, and follows its audit path to
// the tree head's root. An event whose own fields do not hash to its recorded hash is called altered
// before its chain is looked at; the audit path is followed only when prove (the tree head verified).
func checkEvent(ce CitedEvent, prev audit.Hash, th TreeHead, prove bool) error {
	e := ce.Event
	var err error
	if e.Data, err = eventstore.Canonicalize(e.Data); err != nil {
		return fmt.Errorf("data: %v", err)
	}
	if e.Sources, err = eventstore.Canonicalize(e.Sources); err != nil {
		return fmt.Errorf("sources: %v", err)
	}
	if got := eventstore.ComputeHash(e, e.PrevHash); got != e.Hash {
		return fmt.Errorf("its fields hash to %s, not its recorded hash %s: the event was altered", got, e.Hash)
	}
	if e.PrevHash != prev {
		return fmt.Errorf("prev_hash %s does not name the stream's previous event %s", e.PrevHash, prev)
	}
	if e.Seq == 0 || ce.LeafIndex != e.Seq-1 {
		return fmt.Errorf("leaf index %d is not seq %d - 1", ce.LeafIndex, e.Seq)
	}
	if !prove {
		return nil
	}
	if err := audit.VerifyInclusion(ce.LeafIndex, th.Size, audit.LeafHash(e.Hash[:]), ce.AuditPath, th.Root); err != nil {
		return err
	}
	return nil
}

// readManifest reads dir's manifest.json, which must be of the pack's format; an absent manifest is
// an error matching os.ErrNotExist.
func readManifest(dir, format string) (Manifest, error) {
	var m Manifest
	b, err := audit.ReadFileAtMost(filepath.Join(dir, ManifestName), MaxManifestBytes)
	if errors.Is(err, audit.ErrFileTooLarge) {
		return m, fmt.Errorf("larger than %d bytes, more than any manifest", MaxManifestBytes)
	}
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, err
	}
	if m.Format != format {
		return m, fmt.Errorf("format %q, but pack.json is %q", m.Format, format)
	}
	return m, nil
}

// reportDiff names the first top-level field of the report that differs ("" when none), with the
// first differing element of a list.
func reportDiff(got, want *Report) string {
	var g, w map[string]json.RawMessage
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if bytes.Equal(gb, wb) {
		return ""
	}
	_ = json.Unmarshal(gb, &g)
	_ = json.Unmarshal(wb, &w)
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if bytes.Equal(g[k], w[k]) {
			continue
		}
		var gl, wl []json.RawMessage
		if json.Unmarshal(g[k], &gl) == nil && json.Unmarshal(w[k], &wl) == nil {
			for i := range max(len(gl), len(wl)) {
				if i >= len(gl) || i >= len(wl) || !bytes.Equal(gl[i], wl[i]) {
					return fmt.Sprintf("%s item %d", k, i+1)
				}
			}
		}
		return k
	}
	return "the report"
}

// citedNotHeld is every event number the report cites (any "refs" list, at any depth; a "seq"
// elsewhere may be a ledger position, not an event of the pack) that the pack's events do not hold,
// in order.
func citedNotHeld(report json.RawMessage, ev *Evidence) []uint64 {
	held := make(map[uint64]bool, len(ev.Events))
	for _, ce := range ev.Events {
		held[ce.Event.Seq] = true
	}
	var doc any
	if json.Unmarshal(report, &doc) != nil {
		return nil
	}
	missing := map[uint64]bool{}
	note := func(v any) {
		if n, ok := v.(float64); ok && n >= 1 && n == float64(uint64(n)) && !held[uint64(n)] {
			missing[uint64(n)] = true
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if l, ok := x.([]any); ok && k == "refs" {
					for _, n := range l {
						note(n)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return slices.Sorted(maps.Keys(missing))
}
