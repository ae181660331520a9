package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
)

// user creates an account. The password is read from the first line of
// stdin; with -generate-password a random one is made and printed once.
func user(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: sakimori user create -email ADDRESS [-role trainee|instructor|partner|admin] [-name NAME] [-generate-password]")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "the account's email address")
	role := fs.String("role", "trainee", "trainee, instructor, partner or admin")
	name := fs.String("name", "", "display name (default: the email's local part)")
	generate := fs.Bool("generate-password", false, "make a random password and print it, instead of reading one from stdin")
	// The remaining flags (database, data dir) are the server's own.
	own, rest := splitFlags(args[1:], "email", "role", "name", "generate-password")
	if err := fs.Parse(own); err != nil {
		return err
	}
	password, err := readPassword(stdin, *generate)
	if err != nil {
		return err
	}
	_, db, err := openDatabase(ctx, "user create", rest, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	passwords, err := accounts.NewPasswords(accounts.OWASPParams)
	if err != nil {
		return err
	}
	svc := accounts.NewService(db.Accounts(), passwords, accounts.Options{Now: time.Now})
	u, err := svc.CreateUser(ctx, accounts.NewUser{Email: *email, DisplayName: *name, Password: password, Role: accounts.Role(*role)})
	if err != nil {
		return err
	}
	// The operator at the command line has no account: the entry names
	// the role only.
	err = audit.NewLog(db.Audit(), time.Now).Record(ctx, audit.Entry{ActorRole: "operator", Action: audit.UserCreate,
		TargetKind: "user", TargetID: u.ID, Detail: map[string]string{"role": string(u.Role), "email": u.Email, "via": "command line"}})
	if err != nil {
		return fmt.Errorf("account created, but its audit entry was not: %w", err)
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", u.Role, u.Email, u.ID)
	if *generate {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func readPassword(stdin io.Reader, generate bool) (string, error) {
	if generate {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on stdin (pipe one in, or use -generate-password)")
	}
	return line, nil
}

// splitFlags separates the named flags (and their values) from the rest.
func splitFlags(args []string, names ...string) (own, rest []string) {
	is := map[string]bool{}
	for _, n := range names {
		is[n] = true
	}
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || !is[name] {
			rest = append(rest, args[i])
			continue
		}
		own = append(own, args[i])
		if !hasValue && name != "generate-password" && i+1 < len(args) {
			i++
			own = append(own, args[i])
		}
	}
	return own, rest
}
