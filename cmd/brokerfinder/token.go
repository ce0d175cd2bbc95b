package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// tokenCmd creates, lists and revokes API tokens. Only a token's hash is
// stored; the token itself is printed once, at creation.
func tokenCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("token: say create, list or revoke")
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("token "+sub, stderr)
	c, err := newConfig(fs, getenv)
	if err != nil {
		return err
	}
	name := fs.String("name", "", "who or what the token is for (create)")
	role := fs.String("role", string(directory.RoleAdmin), "the token's role (create): admin, adviser or provider_editor")
	providerID := fs.String("provider", "", "the provider a provider_editor token may edit (create)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch sub {
	case "create":
		t := directory.Token{Name: *name, Role: directory.Role(*role), ProviderID: *providerID}
		if err := t.Validate(); err != nil {
			return fmt.Errorf("token create: %w (flags --name, --role, --provider)", err)
		}
	case "list":
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke: give the token id (see token list)")
		}
	default:
		return fmt.Errorf("token: unknown subcommand %q (create, list, revoke)", sub)
	}

	store, closeStore, err := openStoreFor(ctx, c, stderr)
	if errors.Is(err, mongodb.ErrInUse) {
		// A server has the embedded store: ask it over its admin socket.
		return tokenViaServer(ctx, newAdminClient(adminSocketPath(c)), sub, fs.Arg(0),
			tokenRequest{Name: *name, Role: *role, ProviderID: *providerID}, stdout, stderr)
	}
	if err != nil {
		return err
	}
	defer closeStore()
	svc := service.New(service.Config{Store: store})
	ctx = service.Tool(ctx, "brokerfinder token")

	switch sub {
	case "create":
		t := directory.Token{Name: *name, Role: directory.Role(*role), ProviderID: *providerID}
		secret := api.NewTokenSecret()
		t.Hash = api.HashToken(secret)
		if err := svc.CreateToken(ctx, &t); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		fmt.Fprintf(stderr, "token %s (%s, role %s) created; it is shown only this once\n", t.ID, t.Name, t.Role)
	case "list":
		list, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		return printTokens(stdout, list)
	case "revoke":
		if err := svc.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked\n", fs.Arg(0))
	}
	return nil
}

// tokenViaServer runs a token subcommand through a running server.
func tokenViaServer(ctx context.Context, a *adminClient, sub, id string, req tokenRequest, stdout, stderr io.Writer) error {
	switch sub {
	case "create":
		var out tokenCreated
		if err := a.do(ctx, http.MethodPost, "/tokens", req, &out); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", out.Secret)
		fmt.Fprintf(stderr, "token %s (%s, role %s) created through the running server; it is shown only this once\n", out.Token.ID, out.Token.Name, out.Token.Role)
	case "list":
		var list []directory.Token
		if err := a.do(ctx, http.MethodGet, "/tokens", nil, &list); err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		return printTokens(stdout, list)
	case "revoke":
		if err := a.do(ctx, http.MethodDelete, "/tokens/"+url.PathEscape(id), nil, nil); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(stdout, "token %s revoked\n", id)
	}
	return nil
}

func printTokens(stdout io.Writer, list []directory.Token) error {
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tPROVIDER\tCREATED\tREVOKED")
	for _, t := range list {
		revoked := "-"
		if t.RevokedAt != nil {
			revoked = t.RevokedAt.Format("2006-01-02 15:04")
		}
		prov := "-"
		if t.ProviderID != "" {
			prov = t.ProviderID
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, prov, t.CreatedAt.Format("2006-01-02 15:04"), revoked)
	}
	return w.Flush()
}
