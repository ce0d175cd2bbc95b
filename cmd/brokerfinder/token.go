package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/directory"
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
	var c config
	fs := newFlagSet("token "+sub, stderr)
	c.flags(fs, getenv)
	name := fs.String("name", "", "who or what the token is for (create)")
	role := fs.String("role", string(directory.RoleAdmin), "the token's role (create); admin for now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch sub {
	case "create":
		if *name == "" {
			return errors.New("token create: --name is required")
		}
		if directory.Role(*role) != directory.RoleAdmin {
			return fmt.Errorf("token create: unknown role %q (admin)", *role)
		}
	case "list":
	case "revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke: give the token id (see token list)")
		}
	default:
		return fmt.Errorf("token: unknown subcommand %q (create, list, revoke)", sub)
	}

	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, &c, logger)
	if err != nil {
		return err
	}
	defer closeStore()

	switch sub {
	case "create":
		secret := newSecret()
		t := directory.Token{Name: *name, Role: directory.Role(*role), Hash: api.HashToken(secret)}
		if err := store.CreateToken(ctx, &t); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		fmt.Fprintf(stderr, "token %s (%s, role %s) created; it is shown only this once\n", t.ID, t.Name, t.Role)
	case "list":
		list, err := store.Tokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tROLE\tCREATED\tREVOKED")
		for _, t := range list {
			revoked := "-"
			if t.RevokedAt != nil {
				revoked = t.RevokedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.CreatedAt.Format("2006-01-02 15:04"), revoked)
		}
		return w.Flush()
	case "revoke":
		if err := store.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked\n", fs.Arg(0))
	}
	return nil
}

// newSecret returns a random token: 32 bytes, URL-safe base64, prefixed so it
// is recognisable in a leaked-secrets scan.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "bf_" + base64.RawURLEncoding.EncodeToString(b[:])
}
