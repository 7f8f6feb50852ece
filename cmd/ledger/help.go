package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// examples holds, for every command, lines that can be typed as they are (after 'ledger demo' or
// 'ledger seed' made the Norfolk ledger in ./ledger.db). 'ledger help CMD' and 'ledger CMD --help'
// print them under the flags; a test holds every command to having some.
var examples = map[string][]string{
	"demo": {
		"ledger demo                              # load the Norfolk demo into ./ledger.db and serve it on :8080",
		"ledger demo --addr 127.0.0.1:0           # on a free port",
	},
	"seed": {"ledger seed --store bolt:norfolk.db"},
	"serve": {
		"ledger serve --addr 127.0.0.1:8080",
		"ledger serve --private --write-rate 5    # every read needs a token; 5 recordings/s per caller",
		"ledger serve --witness 'WITNESS_VKEY@http://witness.example:8090' --witness-quorum 1   # witnesses cosign each checkpoint",
	},
	"record": {
		`ledger record --partnership great-yarmouth-north-norfolk --type SavingsReported --effective 2016-03-01 \
      --data '{"council":"north-norfolk","financial_year":2015,"category":"shared management","amount_pence":4200000,"status":"forecast","period_to":"2016-03-31"}' \
      --source 'press:Eastern Daily Press, 1 March 2016' --certainty reported`,
	},
	"history": {
		"ledger history --partnership great-yarmouth-north-norfolk",
		"ledger history --partnership great-yarmouth-north-norfolk --known-at 2016-06-01 --json",
	},
	"state": {
		"ledger state --partnership great-yarmouth-north-norfolk --as-of 2015-11-07",
		"ledger state --partnership great-yarmouth-north-norfolk --as-of 2016-03-31 --known-at 2015-12-18 --json",
	},
	"verify": {
		"ledger verify",
		"ledger verify --file ledger.jsonl --tree-head head.json --key PUBKEY",
	},
	"prove":       {"ledger prove --event EVENT_ID -o proof.json   # EVENT_ID from 'ledger history'"},
	"check-proof": {"ledger check-proof proof.json --key PUBKEY      # PUBKEY (or VKEY) as 'ledger key' prints it"},
	"tree-head":   {"ledger tree-head -o head.json"},
	"checkpoint": {
		"ledger checkpoint -o checkpoint.txt     # keep it: C2SP tlog-checkpoint, checkable by any signed-note tool",
		"ledger checkpoint --server http://127.0.0.1:8080 --key VKEY",
	},
	"check-consistency": {
		"ledger check-consistency head.json --key PUBKEY          # PUBKEY or VKEY as 'ledger key' prints it",
		"ledger check-consistency checkpoint.txt --key VKEY --server http://127.0.0.1:8080 --token-file auditor.token",
		"ledger check-consistency consistency.json --key VKEY     # offline, from 'ledger consistency-proof'",
	},
	"consistency-proof": {"ledger consistency-proof checkpoint.txt -o consistency.json   # or a kept head.json"},
	"key":               {"ledger key", "ledger key --store 'esdb://localhost:2113?tls=false' --key-file secrets/ledger.key --origin ledger.example.gov.uk/great-yarmouth-north-norfolk"},
	"export":            {"ledger export -o ledger.jsonl", "ledger export --salvage -o good.jsonl   # from a damaged bolt file"},
	"import":            {"ledger import ledger.jsonl --store bolt:copy.db"},
	"migrate":           {"ledger migrate --from bolt:ledger.db --to 'esdb://localhost:2113?tls=false'"},
	"replay": {
		"ledger replay --partnership great-yarmouth-north-norfolk",
		"ledger replay --partnership great-yarmouth-north-norfolk --until 2016-06-01",
	},
	"pack":        {"ledger pack --partnership great-yarmouth-north-norfolk --as-of 2016-06-30 --format html,pdf -o pack/", "ledger pack --partnership great-yarmouth-north-norfolk --as-of 2016-06-30 --witness WITNESS_VKEY --quorum 1 -o pack/   # embed the oldest checkpoint the witness cosigned"},
	"verify-pack": {"ledger verify-pack pack/ --key PUBKEY", "ledger verify-pack pack.json --key PUBKEY   # a pack downloaded as one file", "ledger verify-pack pack/ --key PUBKEY --witness W1_VKEY --witness W2_VKEY --quorum 1"},
	"gen":         {"ledger gen --store bolt:ref.db --partnerships 300 --events 1000000"},
	"token": {
		`ledger token issue --role auditor --actor "Internal audit"`,
		"ledger token revoke TOKEN_ID",
	},
	"audit": {
		"ledger audit follow --server https://ledger.example.gov.uk --key 'ORIGIN+HASH+BASE64' --state ~/ledger-audit",
		"ledger audit follow --server URL --key VKEY --state DIR --once --witness W1_VKEY --witness W2_VKEY --quorum 1",
	},
	"witness": {
		"ledger witness key -o witness.key --name witness.great-yarmouth.gov.uk/ledger   # prints the vkey to pin",
		"ledger witness key --key-file witness.key                                       # prints it again",
		"ledger witness serve --key-file witness.key --log-key LOG_VKEY --state /var/lib/ledger-witness --init   # the first run only: a new state",
		"ledger witness serve --key-file witness.key --log-key LOG_VKEY --addr 127.0.0.1:8090 --state /var/lib/ledger-witness",
	},
}

// helpArgs are the arguments that make a command print its help, when "--help" alone does not.
var helpArgs = map[string][]string{"token": {"issue", "--help"}}

// subcommands lists the words a command takes before its flags, for 'ledger help COMMAND SUBCOMMAND'.
var subcommands = map[string][]string{"token": {"issue", "revoke"}, "witness": {"serve", "key"}, "audit": {"follow"}}

// helpUsage is what 'ledger help help' prints.
const helpUsage = `usage: ledger help [COMMAND [SUBCOMMAND]]

Shows the list of commands, or one command's usage, flags and examples (as 'ledger COMMAND --help').

examples:
  ledger help
  ledger help record
  ledger help token issue
`

// cmdHelp is 'ledger help [COMMAND [SUBCOMMAND]]': the list of commands, or one command's usage, flags
// and examples, as 'ledger COMMAND [SUBCOMMAND] --help' prints them (the command parses "--help" and
// stops there, before it opens anything); 'ledger help help' says how to use it. An unknown command
// or subcommand is bad input, exit 2.
func cmdHelp(ctx context.Context, a *app, args []string) error {
	switch {
	case len(args) == 0:
		a.usage(a.stdout)
		return nil
	case len(args) == 1 && args[0] == "help":
		fmt.Fprint(a.stdout, helpUsage)
		return nil
	case len(args) > 2 || (len(args) == 2 && !slices.Contains(subcommands[args[0]], args[1])):
		return usageErrorf("help: want one command, e.g. 'ledger help record' or 'ledger help token issue' (got %q)", strings.Join(args, " "))
	}
	c, ok := findCommand(args[0])
	if !ok {
		return usageErrorf("help: unknown command %q (run 'ledger --help' for the list)", args[0])
	}
	hargs, ok := helpArgs[c.name]
	if !ok {
		hargs = []string{"--help"}
	}
	if len(args) == 2 {
		hargs = []string{args[1], "--help"}
	}
	err := c.run(ctx, a, hargs)
	if !errors.Is(err, errHelp) {
		return fmt.Errorf("help %s: the command did not show its help: %v", c.name, err)
	}
	return nil
}

// printCommandHelp prints a command's usage line, summary, flags (those of fs) and examples.
func printCommandHelp(w io.Writer, fs *flag.FlagSet) {
	c, _ := findCommand(fs.Name())
	fmt.Fprintf(w, "%s\n\n%s\n\n", strings.TrimSpace("usage: ledger "+c.name+" "+c.args), c.summary)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprintln(w, "flags: none besides the global flags ('ledger --help')")
	} else {
		fmt.Fprintln(w, "flags (and the global flags, 'ledger --help'):")
		printFlags(w, fs)
	}
	if ex := examples[c.name]; len(ex) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, e := range ex {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

// printFlags lists fs's flags as flag.PrintDefaults does, but with two dashes ("--json"), as the
// README, the usage lines and the global flags write them (Go's flag package takes either); a
// one-letter flag keeps one dash ("-o").
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-" // -o, as the usage lines and the README write it
		}
		line := "  " + dash + f.Name
		if name != "" {
			line += " " + name
		}
		if len(line) <= 4+len(dash) { // a short name fits on the line, as PrintDefaults does
			line += "\t"
		} else {
			line += "\n    \t"
		}
		line += strings.ReplaceAll(usage, "\n", "\n    \t")
		switch {
		case f.DefValue == "" || f.DefValue == "false" || f.DefValue == "0":
		case strings.Contains(usage, "(default"): // the text gives the default in words: one default, not two
		case name == "string":
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			line += " (default " + f.DefValue + ")"
		}
		fmt.Fprintln(w, line)
	})
}
