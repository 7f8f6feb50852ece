package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/partnership-ledger/ledger/audit"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
	"github.com/partnership-ledger/ledger/reviewpack"
	"github.com/partnership-ledger/ledger/witness"
)

// cmdPack writes the review pack of a partnership into a directory: pack.html, pack.pdf, pack.md,
// pack.json (always) and manifest.json with every file's SHA-256.
func cmdPack(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("pack")
	slug := fs.String("partnership", "", "the partnership's slug (required)")
	asOf := onceFlag(fs, "as-of", "the date in effect, YYYY-MM-DD (required)")
	knownAt := onceFlag(fs, "known-at", "only what was recorded by then: a seq, an RFC 3339 time, a date or all (default: the end of the as-of day in Europe/London)")
	sinceFlag := &onceValue{}
	fs.Var(sinceFlag, "since", "the known-at of the last report (a seq, an RFC 3339 time or a date, before --known-at): the pack lists what was recorded since and what it changed")
	since := &sinceFlag.s
	formats := fs.String("format", strings.Join(reviewpack.Formats, ","), "formats to write, comma-separated: html, pdf, md, json (json is always written)")
	out := fs.String("o", "", "the `DIR` to write the pack into (required; created if missing)")
	committee := fs.String("committee", "", "the committee the pack is prepared for, on the cover beside the bodies the review is scheduled for")
	var meetings stringList
	fs.Var(&meetings, "meeting", "a body's meeting on the cover, `BODY=DATE` (repeatable; DATE is YYYY-MM-DD, on or after --as-of): BODY is COUNCIL:BODY of a body the review is scheduled for (e.g. north-norfolk:cabinet), the body alone where that is enough, or the --committee; a body the review names without one reads 'meeting date not recorded', the --committee without one 'meeting date not given'")
	author := fs.String("author", "", "the report author on the cover (each cover option: at most 200 characters, no control characters)")
	quorumOf := pinnedWitnessFlags(fs, "embed the oldest stored checkpoint covering the pack that has the --quorum of cosignatures by")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	wq, err := quorumOf("pack")
	if err != nil {
		return err
	}
	if len(wq.Witnesses) > 0 {
		if a.server != "" {
			return usageErrorf("pack: --witness: with --server the server's own witnesses (serve --witness) decide which checkpoint a pack embeds; give --witness only with the store")
		}
		a.packWitnessed = func(cp eventstore.Checkpoint) bool {
			_, _, met := wq.Check(audit.WithCosignatures(cp))
			return met
		}
	}
	if _, err := partnershipFlag("pack", *slug); err != nil {
		return err
	}
	switch {
	case *asOf == "":
		return usageErrorf("pack: --as-of is required: the pack must say which date it describes (run 'ledger help pack')")
	case *out == "":
		return usageErrorf("pack: -o DIR is required (run 'ledger help pack')")
	}
	cover := reviewpack.CoverOptions{Committee: *committee, Meetings: meetings, Author: *author}
	if err := cover.Check(); err != nil {
		ce := err.(*reviewpack.CoverError)
		return usageErrorf("pack: --%s %s", ce.Field, ce.Detail)
	}
	var want []string
	for _, f := range strings.Split(*formats, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if f == "markdown" {
			f = "md"
		}
		if !slices.Contains(reviewpack.Formats, f) {
			return usageErrorf("pack: unknown format %q (want html, pdf, md or json)", f)
		}
		want = append(want, f)
	}
	q, err := projections.ParseQuery(*asOf, *knownAt)
	if err != nil {
		return badFlag("pack", "", err)
	}
	opts := reviewpack.Options{Partnership: *slug, AsOf: q.AsOf, KnownAt: q.KnownAt, Cover: cover}
	if sinceFlag.set {
		k, err := reviewpack.ParseSince(*since)
		if err != nil {
			return badFlag("pack", "", err)
		}
		opts.Since = &k
	}
	if fi, err := os.Stat(*out); err == nil && !fi.IsDir() {
		return usageErrorf("pack: -o %s is a file; give a directory (it is created if missing)", *out)
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	w, err := src.Pack(ctx, opts, want, *out)
	if f := fault.Of(err); f != nil && len(f.Fields) == 1 && f.Fields[0].Parameter != "" {
		// A meeting naming no body of this pack, a since not before the known-at: the flag at fault.
		return badFlag("pack", "", err)
	}
	if err != nil {
		return fmt.Errorf("pack: %w", err)
	}
	th := w.Evidence.TreeHead
	say := a.stdout // with --server, what the summary names comes from the server: reportf
	reportf(say, "review pack for %s as of %s, known at %s: %d events under tree head size %d, root %s\n",
		*slug, w.Evidence.AsOf, w.KnownAt, len(w.Evidence.Events), th.Size, th.Root)
	for _, f := range w.Manifest.Files {
		reportf(say, "  %s  %s  (%d bytes)\n", f.SHA256, f.Name, f.Bytes)
	}
	reportf(say, "wrote %s; check it offline with 'ledger verify-pack %s --key %s'\n", filepath.Join(*out, reviewpack.ManifestName), *out, w.PublicKey)
	return nil
}

// cmdVerifyPack checks a review pack offline against a pinned public key: a pack directory, or a
// pack.json on its own (a pack downloaded as one file). Exit 0 valid; 1 refused, a pack whose contents
// do not check (one line naming every check that failed, events by [n] and id); 2 bad input: no key,
// a path that is not a pack, a pack.json that is not complete JSON or names no pack format, a file
// larger than reviewpack.MaxFileBytes.
func cmdVerifyPack(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("verify-pack")
	keyText := fs.String("key", "", "the ledger's public key as 'ledger key' prints it, or a file holding it (required)")
	quorum := pinnedWitnessFlags(fs, "require a cosignature of the pack's checkpoint by")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return usageErrorf("verify-pack: want one pack directory or pack.json (run 'ledger help verify-pack')")
	}
	text := *keyText
	if st, err := os.Stat(text); err == nil && !st.IsDir() { // a file holding the key's text
		b, err := readUserFile("verify-pack: --key", text, maxKeyFileBytes, "a public key is 44 characters of base64, or a PEM block of a few lines")
		if err != nil {
			return err
		}
		text = string(b)
	}
	pub, err := parseKeyFlag("verify-pack", text)
	if err != nil {
		return err
	}
	q, err := quorum("verify-pack")
	if err != nil {
		return err
	}
	target := pos[0]
	st, err := os.Stat(target)
	if err != nil || !(st.IsDir() || st.Mode().IsRegular()) {
		return usageErrorf("verify-pack: %s is not a pack directory or a pack.json file", target)
	}
	verify := reviewpack.VerifyDir
	if !st.IsDir() {
		verify = reviewpack.VerifyFile
	}
	v, err := verify(ctx, target, pub.Public)
	var refused *reviewpack.RefusedError
	if errors.As(err, &refused) {
		problems := slices.Clone(refused.Problems)
		if !st.IsDir() { // the target is the file each problem names: name it once
			name := filepath.Base(target)
			for i, p := range problems {
				if rest, ok := strings.CutPrefix(p, name+": "); ok {
					problems[i] = rest
				} else if rest, ok := strings.CutPrefix(p, name+" "); ok {
					problems[i] = "it " + rest
				}
			}
		}
		sayLine(a.stdout, "REFUSED: %s does not verify: %s", target, strings.Join(problems, "; "))
		return &exitError{code: 1, err: err, silent: true}
	}
	if errors.Is(err, os.ErrNotExist) {
		return usageErrorf("verify-pack: %s has no %s", target, reviewpack.FileName("json"))
	}
	var notAPack *reviewpack.NotAPackError
	if errors.As(err, &notAPack) {
		return usageErrorf("verify-pack: %s is not a review pack's pack.json: %s", filepath.Join(target, map[bool]string{true: reviewpack.FileName("json")}[st.IsDir()]), notAPack.Reason)
	}
	var tooLarge *audit.FileTooLargeError
	if errors.As(err, &tooLarge) {
		return usageErrorf("verify-pack: %s is larger than %d bytes (%d MiB), the most any file of a review pack may be", tooLarge.Path, tooLarge.Max, tooLarge.Max>>20)
	}
	if err != nil {
		return fmt.Errorf("verify-pack: %w", err)
	}
	witnessed, err := packWitnessed(a, target, v, q)
	if err != nil {
		return err
	}
	th := v.TreeHead
	if v.Rebuilt {
		sayLine(a.stdout, "valid: review pack for %s as of %s, known at %s (format %s)", v.Partnership, v.AsOf, v.KnownAt, v.Format)
	} else { // the as-of, known-at and cover of an earlier format are its own words: never echoed as facts
		sayLine(a.stdout, "events, proofs and signature valid; report NOT checked: review pack for %s (format %s, an earlier format): only its events are proven; its report, renderings, as-of date and cover are not, and anyone who held the pack could have rewritten them without this check noticing (do not rely on its text; rebuild the pack from the ledger to read checked facts)", v.Partnership, v.Format)
	}
	sayLine(a.stdout, "  %d events, each with its audit path, proved in the tree head of size %d, root %s, signed by key %s", v.Events, th.Size, th.Root, th.KeyID)
	if v.Rebuilt {
		verb := "match" // "pack.html, pack.json match it"; one file "matches" it
		if len(v.Files) == 1 {
			verb = "matches"
		}
		sayLine(a.stdout, "  the report rebuilds from those events; %s %s it%s", strings.Join(v.Files, ", "), verb, map[bool]string{true: "", false: " and the manifest"}[slices.Contains(v.Absent, reviewpack.ManifestName)])
	} else {
		sayLine(a.stdout, "  format %s was written by an earlier version of the ledger (%s): this version cannot rebuild its report or renderings, so nothing in them is checked against the events; to check, build the pack again with 'ledger pack --partnership %s --known-at %d --as-of DATE' and compare", v.Format, reviewpack.EarlierFormats[v.Format], v.Partnership, th.Size)
		if len(v.Files) > 0 && !slices.Contains(v.Absent, reviewpack.ManifestName) {
			sayLine(a.stdout, "  %s match the SHA-256s in %s (the manifest is not signed: it shows the files are the ones written together)", strings.Join(v.Files, ", "), reviewpack.ManifestName)
		}
		if len(v.Unchecked) > 0 {
			sayLine(a.stdout, "  not checked: %s (no %s to check them against)", strings.Join(v.Unchecked, ", "), reviewpack.ManifestName)
		}
	}
	if len(v.Absent) > 0 {
		sayLine(a.stdout, "  not checked, because absent: %s", strings.Join(v.Absent, ", "))
	}
	if witnessed != "" {
		sayLine(a.stdout, "  %s", witnessed)
	}
	return nil
}

// packWitnessed says what the pack's checkpoint shows (one line, "" for a pack without one) and
// holds its cosignatures to the pinned quorum q: a pack short of it is refused in one line naming
// the witnesses missing (exit 1).
func packWitnessed(a *app, target string, v reviewpack.Verified, q witness.Quorum) (string, error) {
	refuse := func(format string, args ...any) (string, error) {
		err := fmt.Errorf(format, args...)
		sayLine(a.stdout, "REFUSED: %s: %v", target, err)
		return "", &exitError{code: 1, err: err, silent: true}
	}
	if v.Checkpoint == nil {
		if len(q.Witnesses) > 0 {
			return refuse("the pack embeds no checkpoint, so no witness cosigned it (built without the ledger's checkpoints, or by an earlier version); %d of the pinned witnesses needed", q.N)
		}
		return "", nil
	}
	cp, err := audit.ParseCheckpoint([]byte(v.Checkpoint.Note))
	if err != nil {
		return "", err // VerifyDir checked it
	}
	line := fmt.Sprintf("checkpoint of size %d (root %s) of %s covers the tree head", cp.Size, cp.Root, cp.Origin)
	if !v.Checkpoint.Witnessed {
		line += "; it had no witness quorum yet when the pack was built"
	}
	if len(q.Witnesses) == 0 {
		return line, nil
	}
	cosigned, missing, met := q.Check([]byte(v.Checkpoint.Note))
	if !met {
		return refuse("its checkpoint of size %d is %s: %d of the pinned witnesses needed, %d found; missing: %s",
			cp.Size, cosignedWords(cosigned), q.N, len(cosigned), strings.Join(missing, ", "))
	}
	return line + "; " + cosignedWords(cosigned), nil
}

// onceValue is a flag that may be given once: a second --since (or --as-of, --known-at) is refused
// rather than the last one silently chosen. set tells a flag given as "" from one not given.
type onceValue struct {
	s   string
	set bool
}

func (o *onceValue) String() string { return o.s }

func (o *onceValue) Set(v string) error {
	if o.set {
		return errors.New("given more than once: give it once")
	}
	o.s, o.set = v, true
	return nil
}

// onceFlag defines a string flag that may be given once (onceValue) and returns its value.
func onceFlag(fs *flag.FlagSet, name, usage string) *string {
	o := &onceValue{}
	fs.Var(o, name, usage)
	return &o.s
}
