// Command pgdb creates and drops the throwaway PostgreSQL databases of a test
// run, for machines without psql. scripts/test.sh uses it like this:
//
//	url=$(go run ./scripts/pgdb create [ADMIN_URL])  # prints the new database's URL
//	go run ./scripts/pgdb drop URL                   # drops the database URL names
//
// ADMIN_URL defaults to the local server the project's machines run:
// postgres://postgres@127.0.0.1:5432/postgres (user postgres, trust auth).
// It is a development tool, not part of the application.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// testDB is the only kind of name drop accepts, so a typo cannot drop a
// database that holds anything of value.
var testDB = regexp.MustCompile(`^werkstatt_test_[a-z0-9_]+$`)

func main() {
	if err := run(os.Args[1:]); err != nil {
		// One line, so scripts can show it as the reason for a skip.
		fmt.Fprintln(os.Stderr, "pgdb:", strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return errors.New("usage: pgdb create [ADMIN_URL] | pgdb drop URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch args[0] {
	case "create":
		admin := defaultAdminURL
		if len(args) == 2 {
			admin = args[1]
		}
		u, err := create(ctx, admin)
		if err != nil {
			return err
		}
		fmt.Println(u)
		return nil
	case "drop":
		if len(args) != 2 {
			return errors.New("usage: pgdb drop URL")
		}
		return drop(ctx, args[1])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// create makes a database werkstatt_test_<random> and returns a URL for it.
func create(ctx context.Context, adminURL string) (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	name := "werkstatt_test_" + hex.EncodeToString(b)
	if err := execSQL(ctx, adminURL, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return withDatabase(adminURL, name)
}

// drop removes the database that dbURL points at, connecting to the server's
// postgres database to do so; open connections are ended first.
func drop(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("parse URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !testDB.MatchString(name) {
		return fmt.Errorf("refusing to drop %q: not a werkstatt_test_* database", name)
	}
	admin, err := withDatabase(dbURL, "postgres")
	if err != nil {
		return err
	}
	return execSQL(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func execSQL(ctx context.Context, connURL, sql string) error {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// withDatabase returns connURL with its database replaced by name.
func withDatabase(connURL, name string) (string, error) {
	u, err := url.Parse(connURL)
	if err != nil {
		return "", fmt.Errorf("parse URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("want a postgres:// URL, got scheme %q", u.Scheme)
	}
	u.Path = "/" + name
	return u.String(), nil
}
