package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/recording"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ", ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func cmdRecord(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("record")
	// Each flag that fills one member of the event may be given once (onceValue): a second --type or
	// --data is refused rather than the last one silently recorded.
	slug := onceFlag(fs, "partnership", "the partnership's slug, e.g. great-yarmouth-north-norfolk (required)")
	typ := onceFlag(fs, "type", "the event type, e.g. SavingsReported (required)")
	effective := onceFlag(fs, "effective", "the date the event takes effect, YYYY-MM-DD (required)")
	data := onceFlag(fs, "data", "the payload as a JSON object (required)")
	certaintyFlag := &onceValue{s: "confirmed"}
	fs.Var(certaintyFlag, "certainty", "confirmed, reported or inferred")
	certainty := &certaintyFlag.s
	var sources stringList
	fs.Var(&sources, "source", `a source: kind:title[|url], e.g. 'minutes:Cabinet 4 January 2016', or a JSON object (repeatable; at least one)`)
	asJSON := fs.Bool("json", false, "print the stored envelope as JSON")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]string{"--partnership": *slug, "--type": *typ, "--effective": *effective, "--data": *data} {
		if v == "" {
			return usageErrorf("record: %s is required (run 'ledger help record')", name)
		}
	}
	cmd := domain.Command{
		Partnership: *slug,
		Type:        *typ,
		EffectiveOn: *effective,
		Certainty:   *certainty,
		Data:        json.RawMessage(*data),
	}
	if _, err := eventstore.Gate(cmd.Data); err != nil {
		return recordError(err, "/data", 0)
	}
	for i, s := range sources {
		ref, err := domain.ParseSource(s)
		if err != nil {
			return recordError(err, "", i)
		}
		cmd.Sources = append(cmd.Sources, ref)
	}
	// Checked before the store is opened: a KurrentDB store is not even dialled for a command refused
	// on its own. (A refusal that needs the history writes nothing either: see openStore.)
	if err := domain.CheckCommand(cmd); err != nil {
		return recordError(err, "", 0)
	}

	store, err := a.openStore(ctx, a.store)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := recording.New(store, a.now).Record(ctx, a.actor(), cmd, nil)
	if err != nil {
		return recordError(err, "", 0)
	}
	if *asJSON {
		return writeJSON(a.stdout, res.Events)
	}
	for _, e := range res.Events {
		verb := "recorded"
		if res.Replayed {
			verb = "already recorded"
		}
		reportf(a.stdout, "%s %s %s in %s at revision %d, seq %d\n  hash %s\n", verb, e.Type, e.ID, e.Stream, e.Revision, e.Seq, e.Hash)
	}
	return nil
}

// actor names the person at the terminal in recorded_by: the CLI has no credentials of its own. It is
// "cli:" and $USER, under the one rule for actor names (eventstore.ActorProblem): a $USER with control
// characters is written escaped (terminalSafe), one too long is cut, and an unset $USER or one still
// refused is "unknown".
func (a *app) actor() string {
	user := terminalSafe(a.getenv("USER"))
	if r := []rune(user); len(r) > eventstore.MaxActorRunes-4 {
		user = string(r[:eventstore.MaxActorRunes-4])
	}
	if user == "" || eventstore.ActorProblem("cli:"+user) != "" {
		user = "unknown"
	}
	return "cli:" + user
}

// writeJSON writes v as indented JSON.
func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// recordError is err, an error for people about a command 'ledger record' built from its flags,
// naming each field at fault by the flag typed and by the JSON pointer (RFC 6901) the HTTP API names
// for the same field of the event: "record: --effective (/effective_on): …", "record: --data
// (/data/amount_pence): …", "record: --source #2 (/sources/1/assumed/0): …", problems joined by "; "
// on one line. at prefixes the pointers of err (a --data checked on its own: "/data"); source is the
// index of the --source err concerns (ParseSource's pointers are under /sources/0). An error without
// fields for people is returned as it is.
func recordError(err error, at string, source int) error {
	f := fault.Of(err)
	if f == nil || len(f.Fields) == 0 {
		return err
	}
	parts := make([]string, 0, len(f.Fields))
	for _, fl := range f.Fields {
		ptr := at + fl.Pointer
		if rest, ok := strings.CutPrefix(ptr, "/sources/0"); ok && source > 0 {
			ptr = "/sources/" + strconv.Itoa(source) + rest
		}
		msg := fl.Message
		if fl.Event != "" {
			msg += " (conflicts with " + fl.Event + ")"
		}
		switch name := recordFlag(ptr); {
		case name != "":
			msg = name + " (" + ptr + "): " + msg
		case ptr != "":
			msg = ptr + ": " + msg
		}
		parts = append(parts, msg)
	}
	return &fault.Error{Kind: f.Kind, Message: "record: " + strings.Join(parts, "; "), Err: err}
}

// recordFlag names the flag of 'ledger record' that fills the command member at the JSON pointer
// (RFC 6901): /partnership --partnership, /type --type, /effective_on --effective, /certainty
// --certainty, /data and a member inside it --data, /sources --source, /sources/N and a member of it
// "--source #N+1" (the flags counted from 1, the pointer's index from 0); "" for "".
func recordFlag(pointer string) string {
	switch pointer {
	case "/partnership":
		return "--partnership"
	case "/type":
		return "--type"
	case "/certainty":
		return "--certainty"
	case "/effective_on":
		return "--effective"
	case "/data":
		return "--data"
	case "/sources":
		return "--source"
	}
	if strings.HasPrefix(pointer, "/data/") {
		return "--data"
	}
	if rest, ok := strings.CutPrefix(pointer, "/sources/"); ok {
		n, _, _ := strings.Cut(rest, "/")
		if i, err := strconv.Atoi(n); err == nil && i >= 0 {
			return "--source #" + strconv.Itoa(i+1)
		}
		return "--source"
	}
	return ""
}
