// Package app is Werkstatt's real main: it reads the configuration, opens the
// database and the object store, and runs one of the subcommands (serve,
// migrate, seed, admin). Tests call Start to run the whole program.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if err := Run(ctx, args, getenv, stdin, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "werkstatt:", err)
		return 1
	}
	return 0
}

const usage = `Usage: werkstatt [command] [flags]

Commands:
  serve     serve the web application (default)
  migrate   apply pending database migrations
  seed      load the demo data (idempotent)
  admin     administrative tasks: admin create-user --email E --name N --role R --password-stdin

Settings come from the environment: WERKSTATT_ADDR, WERKSTATT_BASE_URL, WERKSTATT_DATA_DIR,
UPLOADS_DIR, DATABASE_URL, S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_USE_SSL,
WERKSTATT_SECRET, WERKSTATT_SEED.
`

// Run is Main returning an error, for tests.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd, rest := "serve", []string{}
	if len(args) > 1 {
		cmd, rest = args[1], args[2:]
		if strings.HasPrefix(cmd, "-") {
			cmd, rest = "serve", args[1:]
		}
	}
	log := newLogger(getenv("WERKSTATT_LOG_LEVEL"), stderr)
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, log, stdout)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, log, stdout)
	case "seed":
		return cmdSeed(ctx, rest, getenv, log, stdout)
	case "admin":
		return cmdAdmin(ctx, rest, getenv, log, stdin, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
