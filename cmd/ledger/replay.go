package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/fault"
	"github.com/partnership-ledger/ledger/projections"
)

// replayStep is one event of `ledger replay --json`: what it made true and what stopped being true
// in the partnership's state on the event's effective date.
type replayStep struct {
	Seq         uint64   `json:"seq"`
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	EffectiveOn string   `json:"effective_on"`
	RecordedAt  string   `json:"recorded_at"`
	Hash        string   `json:"hash"`
	Became      []string `json:"became_true"`
	Stopped     []string `json:"stopped_being_true"`
}

func cmdReplay(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("replay")
	slug := fs.String("partnership", "", "the partnership's slug (required)")
	until := fs.String("until", "", "stop after this point of recording: a seq, an RFC 3339 time or a date (default: the end)")
	asJSON := fs.Bool("json", false, "print the steps as JSON")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("replay: unexpected argument %q (run 'ledger help replay')", pos[0])
	}
	ps, err := domain.ParsePartnershipSlug(*slug)
	if err != nil {
		return usageErrorf("replay: --partnership: %v", err)
	}
	k, err := projections.ParseKnownAt(*until)
	if err != nil {
		return badFlag("replay", "until", err)
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	events, err := src.PartnershipEvents(ctx, ps, k, *until)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}

	var steps []replayStep
	prevSeq := uint64(0)
	for _, e := range events {
		before, err := stateFacts(ctx, src, ps.String(), e.EffectiveOn, prevSeq)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		after, err := stateFacts(ctx, src, ps.String(), e.EffectiveOn, e.Seq)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		steps = append(steps, replayStep{
			Seq: e.Seq, ID: e.ID.String(), Type: e.Type, EffectiveOn: e.EffectiveOn,
			RecordedAt: domain.TimeText(e.RecordedAt), Hash: e.Hash.String(),
			Became: setMinus(after, before), Stopped: setMinus(before, after),
		})
		prevSeq = e.Seq
	}
	if *asJSON {
		if steps == nil {
			steps = []replayStep{}
		}
		return writeJSON(a.stdout, steps)
	}
	for _, st := range steps {
		sayLine(a.stdout, "seq %d  %s  %s (effective %s, recorded %s)", st.Seq, st.Type, st.ID, st.EffectiveOn, st.RecordedAt)
		sayLine(a.stdout, "  hash %s", st.Hash)
		for _, f := range st.Became {
			sayLine(a.stdout, "  + %s", f)
		}
		for _, f := range st.Stopped {
			sayLine(a.stdout, "  - %s", f)
		}
		if len(st.Became)+len(st.Stopped) == 0 {
			fmt.Fprintln(a.stdout, "  (no change to the state on that date)")
		}
	}
	return nil
}

// stateFacts returns the partnership's state as of asOf, known at seq, as a set of one-line facts:
// each scalar field and each element of a list, without evidence and bookkeeping fields. A partnership
// that did not exist yet at that point has none.
func stateFacts(ctx context.Context, src ledgerSource, slug, asOf string, seq uint64) ([]string, error) {
	if seq == 0 {
		return nil, nil
	}
	st, err := src.State(ctx, slug, asOf, strconv.FormatUint(seq, 10))
	if notYet(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	var facts []string
	for key, v := range top {
		switch key {
		case "partnership", "as_of", "known_at", "event_count", "last_seq":
			continue
		}
		flattenFacts(key, v, &facts)
	}
	slices.Sort(facts)
	return facts, nil
}

// notYet reports whether a state could not be had because the partnership was not recorded yet at
// that point (fault.NotFound, from the store or a server's 404). Other errors (a damaged store, a
// server that cannot be reached) are errors.
func notYet(err error) bool {
	return fault.KindOf(err) == fault.NotFound
}

func flattenFacts(path string, v any, out *[]string) {
	switch t := v.(type) {
	case map[string]any:
		delete(t, "evidence")
		allScalar := true
		for _, x := range t {
			switch x.(type) {
			case map[string]any, []any:
				allScalar = false
			}
		}
		if allScalar || strings.Contains(path, "[]") {
			b, _ := json.Marshal(t)
			*out = append(*out, path+": "+string(b))
			return
		}
		for k, x := range t {
			flattenFacts(path+"."+k, x, out)
		}
	case []any:
		for _, x := range t {
			if m, ok := x.(map[string]any); ok {
				stripEvidence(m)
			}
			b, _ := json.Marshal(x)
			*out = append(*out, path+"[]: "+string(b))
		}
	case nil:
	default:
		b, _ := json.Marshal(t)
		*out = append(*out, path+": "+string(b))
	}
}

func stripEvidence(m map[string]any) {
	delete(m, "evidence")
	for _, x := range m {
		switch t := x.(type) {
		case map[string]any:
			stripEvidence(t)
		case []any:
			for _, y := range t {
				if mm, ok := y.(map[string]any); ok {
					stripEvidence(mm)
				}
			}
		}
	}
}

func setMinus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}
