package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"werkstatt/app/auth"
	"werkstatt/app/config"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/models"
	"werkstatt/models/migrations"
	"werkstatt/seeds"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving (also on PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	inst, err := Start(ctx, cfg, log, StartOptions{Migrate: *migrate})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Werkstatt läuft auf %s (serving on %s)\n", cfg.BaseURL, inst.Addr)
	return inst.Wait()
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	applied, err := migrations.Up(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date at", migrations.Latest())
		return nil
	}
	fmt.Fprintln(stdout, "applied:", strings.Join(applied, ", "))
	return nil
}

// withServices opens database (migrated) and store for a one-off command.
func withServices(ctx context.Context, getenv func(string) string, log *slog.Logger, fn func(*services.Services) error) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	if err := ensureSchema(ctx, db, cfg, log, false); err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	return fn(services.New(db, store, log, cfg.SessionMaxAge))
}

func cmdSeed(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdout io.Writer) error {
	return withServices(ctx, getenv, log, func(svc *services.Services) error {
		demo, err := seeds.Load()
		if err != nil {
			return err
		}
		report, err := svc.Seed(ctx, demo)
		if err != nil {
			return err
		}
		printSeedReport(stdout, report)
		return nil
	})
}

func seedIfEmpty(ctx context.Context, svc *services.Services, log *slog.Logger) error {
	empty, err := svc.Empty(ctx)
	if err != nil || !empty {
		return err
	}
	demo, err := seeds.Load()
	if err != nil {
		return err
	}
	report, err := svc.Seed(ctx, demo)
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	for _, a := range report.Accounts {
		log.Warn("demo account created; the password is shown only this once", "email", a.Email, "role", a.Role, "password", a.Password)
	}
	return nil
}

func printSeedReport(w io.Writer, r *services.SeedReport) {
	fmt.Fprintf(w, "seeded: %d workshops, %d ideas, %d votes, %d comments, %d screens, %d annotations (existing ones kept)\n",
		r.Workshops, r.Ideas, r.Votes, r.Comments, r.Screens, r.Annotations)
	for _, a := range r.Accounts {
		fmt.Fprintf(w, "account %s (%s) password: %s\n", a.Email, a.Role, a.Password)
	}
}

func cmdAdmin(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create-user" {
		return errors.New("usage: werkstatt admin create-user --email E --name N --role R --password-stdin")
	}
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	email := fs.String("email", "", "e-mail address (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", string(auth.RoleParticipant), "participant, moderator, committee or admin")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !*fromStdin {
		return errors.New("--password-stdin is required: passwords are never given as arguments")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	return withServices(ctx, getenv, log, func(svc *services.Services) error {
		u, err := svc.CreateUser(ctx, forms.Register{Email: *email, Name: *name, Password: password}, auth.Role(*role))
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "created user %d <%s> with role %s\n", u.ID, services.DisplayEmail(u), u.Role)
		return nil
	})
}
