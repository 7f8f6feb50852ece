package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/partnership-ledger/ledger/api/client"
	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/eventstore"
	"github.com/partnership-ledger/ledger/fault"
)

// app is what every subcommand gets: the program's streams, environment and global flags.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time

	store   string // --store, LEDGER_STORE, default bolt:ledger.db
	server  string // --server: read commands go through a running server
	keyFile string // --key-file
	origin  string // --origin, LEDGER_ORIGIN: the checkpoint origin ("": audit.DefaultOrigin)
	token   string // --token-file, LEDGER_TOKEN or --token: credentials for --server calls that need them

	tokenFlag, tokenFile string // --token, --token-file as given

	given map[string]bool // the global flags given on the command line, by name

	// packWitnessed says whether a stored checkpoint has the quorum of the witnesses 'ledger pack
	// --witness VKEY --quorum N' pins (nil: none pinned); a pack built from the store embeds the oldest
	// such checkpoint covering it, as a server with witnesses does (docs/integrity.md §10).
	packWitnessed func(eventstore.Checkpoint) bool
}

// command is one subcommand of the ledger binary.
type command struct {
	name    string
	args    string // synopsis of its arguments, for help
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

// commands lists every subcommand, in the order `ledger --help` shows them.
func commands() []command {
	return []command{
		{"demo", "[--addr ADDR] [serve's flags: --private, --write-rate N, ...]", "load the Norfolk demo (if the store is empty), then serve the API and pages; takes every flag of serve", cmdDemo},
		{"seed", "", "load the Norfolk demo ledger and exit (a second run changes nothing)", cmdSeed},
		{"serve", "[--addr ADDR] [--private] [--record-timeout D] [--write-rate N] [--write-burst N] [--pack-renders N] [--server-pack-renders N] [--packs-per-minute N] [--verifications N] [--session-max-age D] [--session-idle D] [--witness VKEY@URL]... [--witness-quorum N]", "serve the HTTP API and pages", cmdServe},
		{"record", "--partnership P --type T --effective D --data JSON [--source JSON]... [--certainty C]", "validate and append one event", cmdRecord},
		{"history", "--partnership P [--known-at K] [--json]", "the events of a partnership, in order, with hashes", cmdHistory},
		{"state", "--partnership P [--as-of D] [--known-at K] [--json]", "a partnership at a point in both times", cmdState},
		{"verify", "[--json] [--file EXPORT] [--tree-head FILE]... [--key PUBKEY]", "check every event, index, hash chain and the Merkle tree (read-only, no private key); exit 1 if tampered or damaged", cmdVerify},
		{"prove", "--event ID [-o FILE]", "write an inclusion proof bundle for one event", cmdProve},
		{"check-proof", "FILE --key PUBKEY", "check a proof bundle offline against a pinned public key (or vkey)", cmdCheckProof},
		{"tree-head", "[--size N] [-o FILE]", "print the signed tree head (keep it to check consistency later)", cmdTreeHead},
		{"checkpoint", "[-o FILE] [--key PUBKEY]", "sign, keep and print the ledger's C2SP checkpoint, with its witnesses' cosignatures", cmdCheckpoint},
		{"check-consistency", "FILE --key PUBKEY", "prove the ledger today extends a kept tree head or checkpoint, or check a consistency-proof file offline", cmdCheckConsistency},
		{"consistency-proof", "OLD [-o FILE]", "write the proof that the ledger today extends a kept tree head or checkpoint, for check-consistency offline", cmdConsistencyProof},
		{"key", "[--json]", "print the tree-signing public key, key id, origin and note verifier key", cmdKey},
		{"export", "[-o FILE] [--salvage]", "write every event as JSON Lines (--salvage: those that verify, up to the first bad one)", cmdExport},
		{"import", "FILE", "verify an export, then load it into an empty store (or complete one that holds its first events)", cmdImport},
		{"migrate", "--from STORE --to STORE", "copy a ledger into an empty store (bolt or KurrentDB; or complete one), keeping ids, hashes and seq; verify it", cmdMigrate},
		{"replay", "--partnership P [--as-of D] [--known-at K] [--until SEQ|DATE] [--type T]... [--json]", "what each event made true, changed and ended, in effective order; --known-at is the recording axis, --as-of and --until the effective axis (docs/replay.md)", cmdReplay},
		{"pack", "--partnership P --as-of D [--known-at K] --format html,pdf,md,json -o DIR", "write the review pack", cmdPack},
		{"verify-pack", "DIR|pack.json --key PUBKEY [--witness VKEY]... [--quorum N]", "check a review pack offline (a directory, or pack.json on its own; with --witness: its checkpoint's cosignatures); exit 0 valid (a pack of an earlier format: its events, proofs and signature only, and the first line says its report is NOT checked), 1 refused, 2 bad input", cmdVerifyPack},
		{"gen", "--partnerships N --events M", "generate the reference data set", cmdGen},
		{"token", "issue --role R --actor NAME | revoke ID", "issue or revoke API credentials", cmdToken},
		{"audit", "follow --server URL --key PUBKEY --state DIR [--interval D] [--once] [--witness VKEY]... [--quorum N]", "follow a server's checkpoints as an auditor: keep the last, check each new one extends it, exit 1 on a fork", cmdAudit},
		{"witness", "serve --key-file FILE --log-key VKEY... --state DIR [--init] [--addr ADDR] | key -o FILE --name NAME | key --key-file FILE", "run a witness that cosigns a ledger's checkpoints (C2SP tlog-witness), or make or show its key", cmdWitness},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	a.store = orDefault(getenv("LEDGER_STORE"), "bolt:ledger.db")
	a.server = getenv("LEDGER_SERVER")
	a.keyFile = getenv("LEDGER_KEY_FILE")
	a.origin = getenv("LEDGER_ORIGIN")
	a.token = getenv("LEDGER_TOKEN")

	rest, err := a.takeGlobals(args)
	if err != nil {
		return err
	}
	if err := a.chooseLedger(); err != nil {
		return err
	}
	if err := a.resolveToken(); err != nil {
		return err
	}
	if len(rest) == 0 {
		a.usage(stderr)
		return usageErrorf("no command given")
	}
	name, rest := rest[0], rest[1:]
	if name == "help" || name == "-h" || name == "--help" {
		return cmdHelp(ctx, a, rest)
	}
	if name == "version" || name == "--version" {
		fmt.Fprintln(stdout, "ledger", version())
		return nil
	}
	c, ok := findCommand(name)
	if !ok {
		return usageErrorf("unknown command %q (run 'ledger --help' for the list)", name)
	}
	if err := a.refuseServer(c.name); err != nil {
		return err
	}
	return c.run(ctx, a, rest)
}

func findCommand(name string) (command, bool) {
	cs := commands()
	i := slices.IndexFunc(cs, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, false
	}
	return cs[i], true
}

func (a *app) usage(w io.Writer) {
	fmt.Fprint(w, `ledger: the Partnership Ledger, an event-sourced audit ledger for council partnerships.

usage: ledger [global flags] COMMAND [flags]

commands:
`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
global flags (before or after the command):
  --store SPEC      bolt:FILE (default bolt:ledger.db) or esdb://host:2113?tls=false; env LEDGER_STORE
  --server URL      send read commands to a running 'ledger serve' instead of opening the store;
                    env LEDGER_SERVER (an explicit --store overrides it; --store and --server together
                    are refused); LEDGER_SERVER_TIMEOUT (default 30s) is how long to wait for a
                    server that sends nothing
  --key-file FILE   the tree-signing key (default: beside a bolt store)
  --origin NAME     the name the ledger's checkpoints carry, a URL without its scheme such as
                    ledger.example.gov.uk/great-yarmouth-north-norfolk; env LEDGER_ORIGIN
                    (default partnership-ledger/KEY_ID); set it once and keep it
  --token-file FILE API token for --server calls that need one, read from FILE; or env LEDGER_TOKEN
  --token TOKEN     the same on the command line (others can see it in ps; a warning says so)

'ledger help COMMAND' shows one command's flags and examples. Quick start: 'ledger demo', then open the printed URL.
`)
}

// takeGlobals removes the global flags from anywhere in args, so they may come before or after the
// subcommand, and returns the rest in order.
func (a *app) takeGlobals(args []string) ([]string, error) {
	globals := map[string]*string{"store": &a.store, "server": &a.server, "key-file": &a.keyFile, "origin": &a.origin, "token": &a.tokenFlag, "token-file": &a.tokenFile}
	var rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		dst, ok := globals[name]
		if !ok || !strings.HasPrefix(arg, "-") {
			rest = append(rest, arg)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, usageErrorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if value == "" {
			return nil, usageErrorf("flag --%s needs a non-empty value", name)
		}
		*dst = value
		if a.given == nil {
			a.given = map[string]bool{}
		}
		a.given[name] = true
	}
	return rest, nil
}

// chooseLedger settles which ledger the command reads: --server and --store given together are bad
// input (one ledger at a time); an explicit --store beats LEDGER_SERVER from the environment, as any
// flag beats the environment (and --server beats LEDGER_STORE).
func (a *app) chooseLedger() error {
	switch {
	case a.given["server"] && a.given["store"]:
		return usageErrorf("give one ledger: --server URL (a running server) or --store SPEC (a store here), not both")
	case a.given["store"]:
		a.server = ""
	}
	return nil
}

// resolveToken sets a.token from --token-file (the file's content, surrounding space trimmed) or
// --token, either of which overrides LEDGER_TOKEN. --token still works but warns on stderr: a token on
// the command line shows in the process list and shell history. Giving both flags, or a file that
// cannot be read or is empty, is a usage error.
func (a *app) resolveToken() error {
	switch {
	case a.tokenFile != "" && a.tokenFlag != "":
		return usageErrorf("give the token once: --token-file or --token, not both")
	case a.tokenFile != "":
		b, err := readUserFile("--token-file", a.tokenFile, maxTokenFileBytes, "a token is one line of under 100 characters")
		if err != nil {
			return err
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" || strings.ContainsAny(tok, "\r\n") {
			return usageErrorf("--token-file %s: want the token alone on one line", a.tokenFile)
		}
		a.token = tok
	case a.tokenFlag != "":
		fmt.Fprintln(a.stderr, "warning: --token shows the token to anyone who can list processes (ps) and keeps it in shell history; use --token-file FILE or LEDGER_TOKEN instead")
		a.token = a.tokenFlag
	}
	return nil
}

// newFlags returns a flag set for a subcommand whose errors are usage errors (exit 2).
func (a *app) newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses flags that may be interleaved with positional arguments and returns the
// positional ones. -h/--help prints the command's usage and returns errHelp.
func (a *app) parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				a.commandUsage(fs)
				return nil, errHelp
			}
			return nil, usageErrorf("%s: %v (run 'ledger help %s')", fs.Name(), err, fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no positional argument: a stray word (a
// mistyped flag value, an argument of another command) is refused in one line rather than ignored.
// partnershipFlag reads cmd's --partnership: required, and a partnership slug
// (domain.ParsePartnershipSlug); otherwise a usage error (one line, exit 2) naming the flag.
func partnershipFlag(cmd, slug string) (domain.PartnershipSlug, error) {
	if slug == "" {
		return domain.PartnershipSlug{}, usageErrorf("%s: --partnership is required (run 'ledger help %s')", cmd, cmd)
	}
	ps, err := domain.ParsePartnershipSlug(slug)
	if err != nil {
		return domain.PartnershipSlug{}, usageErrorf("%s: --partnership: %v", cmd, err)
	}
	return ps, nil
}

func (a *app) parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("%s: unexpected argument %q (run 'ledger help %s')", fs.Name(), pos[0], fs.Name())
	}
	return nil
}

func (a *app) commandUsage(fs *flag.FlagSet) { printCommandHelp(a.stdout, fs) }

// errHelp ends a command that printed its help; it exits 0.
var errHelp = errors.New("help shown")

// usageError is bad input from the person at the terminal: one line on stderr, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries a specific exit status (1: verification found tampering).
type exitError struct {
	code   int
	err    error
	silent bool // already reported on stdout/stderr
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode maps an error to the process's exit status: 0 success, 2 bad input (usage, a server's 4xx
// answer to what was asked, and errors for people of a kind that blames the input: malformed, breaking
// a rule, not found, too large), 1 for everything else (a server's 5xx, a server that cannot be
// reached) unless the error says otherwise.
func exitCode(err error) int {
	var ee *exitError
	var pe *client.Problem
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, new(*usageError)):
		return 2
	case errors.As(err, &pe): // a server's answer: 4xx is what was asked, 5xx the server's own failure
		if pe.Status >= 400 && pe.Status < 500 {
			return 2
		}
		return 1
	}
	switch fault.KindOf(err) {
	case fault.Malformed, fault.Rule, fault.Unprocessable, fault.UnsupportedMedia, fault.TooLarge, fault.NotFound:
		return 2
	}
	return 1
}

// badFlag is err, an error for people about a query parameter (as_of, known_at), as bad input to
// cmd's flag: flag when it is not "", else the flag named like the parameter (--as-of, --known-at).
// It reads "CMD: --FLAG: what is wrong with the value" ("CMD: " left out when cmd is "", for a
// caller that adds it). An err without a message for people is
// returned as it is.
func badFlag(cmd, flag string, err error) error {
	f := fault.Of(err)
	if f == nil {
		return err
	}
	msg := f.Message
	if len(f.Fields) == 1 {
		if flag == "" {
			flag = strings.ReplaceAll(f.Fields[0].Parameter, "_", "-")
		}
		msg = f.Fields[0].Message
	}
	if flag != "" {
		msg = "--" + flag + ": " + msg
	}
	if cmd != "" {
		msg = cmd + ": " + msg
	}
	return usageErrorf("%s", msg)
}

// errorLine is the one line the ledger prints on stderr for a failed command (main and the tests
// print this and nothing else): "ledger: " and the error's message for people (fault.Message), or
// its text when it has none. Damage found in a store is its
// *eventstore.DamageError alone, "the store is damaged at WHERE: WHAT" as docs/integrity.md §8 says,
// without the "read …: verify: …" of the calls it passed through. The line is terminalSafe: a value
// read from a tampered store or a hostile file cannot end it or rewrite what the terminal shows.
func errorLine(err error) string {
	msg := err.Error()
	var d *eventstore.DamageError
	switch {
	case errors.As(err, &d):
		msg = d.Error()
	case errors.As(err, new(*usageError)):
	case fault.Message(err) != "":
		msg = fault.Message(err)
	}
	return "ledger: " + terminalSafe(msg)
}

// damageOrErr returns the *eventstore.DamageError in err's chain, which says where and what on its
// own, or err when there is none.
func damageOrErr(err error) error {
	var d *eventstore.DamageError
	if errors.As(err, &d) {
		return d
	}
	return err
}

// sayLine prints one message line built from format and args, terminalSafe: the verdicts and reports
// that carry values from a store or an input file (a stream, a type, a problem's text) go through it.
func sayLine(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, terminalSafe(fmt.Sprintf(format, args...)))
}

// terminalSafe returns s with everything that could break a one-line message or make it display as
// something it does not say escaped as Go escapes it (\n, \r, \x1b, \u202e): control characters
// (C0 including tab, LF and CR; DEL; C1), the bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069; CVE-2021-42574), U+2028 and U+2029, and each byte of invalid UTF-8 (\xff). Other text,
// quotes and backslashes included, is unchanged, so escaping twice changes nothing more.
func terminalSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			if b.Len() == 0 {
				b.WriteString(s[:i])
			}
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			if b.Len() == 0 {
				b.WriteString(s[:i])
			}
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		case b.Len() > 0:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if b.Len() == 0 {
		return s
	}
	return b.String()
}

// reportf writes part of a multi-line report (a table, a state, a summary): its layout (line feeds,
// tabs between tabwriter's cells, spacing) comes only from format, a string of this program, and
// every argument, which may come from a store, a server or an input file, is written terminalSafe
// (safeArgs). So a value's own line feed or tab shows as \n or \t and cannot forge a line or a cell,
// and no value can move the cursor, reorder text or send invalid UTF-8.
func reportf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, safeArgs(args)...)
}

// safef is reportf's Sprintf, for a line of a report built in parts.
func safef(format string, args ...any) string { return fmt.Sprintf(format, safeArgs(args)...) }

// safeArgs returns args with every text (a string, a type whose kind is string, a fmt.Stringer, an
// error) replaced by its terminalSafe form; numbers and other values are unchanged.
func safeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, v := range args {
		switch x := v.(type) {
		case string:
			out[i] = terminalSafe(x)
		case error:
			out[i] = terminalSafe(x.Error())
		case fmt.Stringer:
			out[i] = terminalSafe(x.String())
		default:
			if rv := reflect.ValueOf(v); rv.IsValid() && rv.Kind() == reflect.String {
				out[i] = terminalSafe(rv.String())
			} else {
				out[i] = v
			}
		}
	}
	return out
}

// needsEscape reports the valid runes terminalSafe escapes.
func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func version() string { return "dev" }
