// Command ledger is the Partnership Ledger: an event-sourced audit ledger for shared-service
// partnerships between councils. Run `ledger --help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks the command to end (it cancels ctx); a second one ends the program at
	// once, whatever the command is blocked in.
	go func() { <-ctx.Done(); stop() }()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	code := exitCode(err)
	if err != nil && code != 0 && !isSilent(err) {
		fmt.Fprintln(os.Stderr, errorLine(err))
	}
	os.Exit(code)
}
