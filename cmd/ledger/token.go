package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/partnership-ledger/ledger/tokens"
)

func cmdToken(ctx context.Context, a *app, args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		return tokenIssue(ctx, a, args) // its flags are the command's
	}
	if len(args) == 0 || (args[0] != "issue" && args[0] != "revoke") {
		return usageErrorf("token: want 'token issue --role R --actor NAME' or 'token revoke ID'")
	}
	if args[0] == "issue" {
		return tokenIssue(ctx, a, args[1:])
	}
	return tokenRevoke(ctx, a, args[1:])
}

func tokenIssue(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("token")
	role := fs.String("role", "", "admin, recorder, auditor or reader (required)")
	actor := fs.String("actor", "", "who the token is for; recorded as recorded_by of what they record (required)")
	if err := a.parseNoArgs(fs, args); err != nil {
		return err
	}
	if !tokens.ValidRole(*role) {
		return usageErrorf("token issue: --role must be admin, recorder, auditor or reader (got %q)", *role)
	}
	if *actor == "" {
		return usageErrorf("token issue: --actor NAME is required")
	}
	if err := tokens.CheckActor(*actor); err != nil { // before the store is opened: a refusal writes nothing
		return usageErrorf("token issue: --%v", err)
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	issued, err := src.IssueToken(ctx, *role, *actor, a.actor())
	if err != nil {
		return err
	}
	reportf(a.stdout, "token:    %s\ntoken id: %s\nrole:     %s\nactor:    %s\n\nThe token is shown once; the ledger keeps only its hash.\n", issued.Token, issued.TokenID, issued.Role, issued.Actor)
	return nil
}

func tokenRevoke(ctx context.Context, a *app, args []string) error {
	fs := a.newFlags("token")
	pos, err := a.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("token revoke: want one token ID")
	}
	id, err := uuid.Parse(pos[0])
	if err != nil {
		return usageErrorf("token revoke: %q is not a token id", pos[0])
	}
	src, err := a.source()
	if err != nil {
		return err
	}
	defer src.Close()
	if err := src.RevokeToken(ctx, id, a.actor()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "revoked token %s\n", id)
	return nil
}
