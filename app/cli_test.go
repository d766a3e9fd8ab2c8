package app_test

// The command line: app.Run with the arguments and standard input a shell
// would give, against a temporary SQLite folder or a fresh PostgreSQL schema.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"werkstatt/app"
	"werkstatt/app/config"
	"werkstatt/app/testutil"
	"werkstatt/models"
)

// cli is one installation the commands run against.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	return &cli{t: t, env: map[string]string{
		"WERKSTATT_ADDR":      "127.0.0.1:0",
		"WERKSTATT_DATA_DIR":  filepath.Join(dir, "data"),
		"UPLOADS_DIR":         filepath.Join(dir, "uploads"),
		"WERKSTATT_SECRET":    strings.Repeat("k", 40),
		"WERKSTATT_SEED":      "false",
		"WERKSTATT_LOG_LEVEL": "error",
		"DATABASE_URL":        testutil.DatabaseURL(t),
	}}
}

// run runs one command and returns its output and error.
func (c *cli) run(stdin string, args ...string) (string, error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	err := app.Run(context.Background(), append([]string{"werkstatt"}, args...), func(k string) string { return c.env[k] },
		strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func (c *cli) mustRun(stdin string, args ...string) string {
	c.t.Helper()
	out, err := c.run(stdin, args...)
	if err != nil {
		c.t.Fatalf("werkstatt %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// counts returns the number of rows per table of the installation.
func (c *cli) counts() map[string]int64 {
	c.t.Helper()
	db, err := models.Open(context.Background(), models.Options{PostgresURL: c.env["DATABASE_URL"],
		SQLitePath: filepath.Join(c.env["WERKSTATT_DATA_DIR"], "werkstatt.db")})
	if err != nil {
		c.t.Fatal(err)
	}
	defer models.Close(db)
	out := map[string]int64{}
	for _, table := range []string{"users", "workshops", "ideas", "votes", "comments", "phase_changes"} {
		var n int64
		if err := db.Table(table).Count(&n).Error; err != nil {
			c.t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// server starts a test server on the installation's database.
func (c *cli) server() *app.Instance {
	c.t.Helper()
	inst := testutil.Start(c.t, func(cfg *config.Config) {
		cfg.DataDir, cfg.UploadsDir, cfg.DatabaseURL = c.env["WERKSTATT_DATA_DIR"], c.env["UPLOADS_DIR"], c.env["DATABASE_URL"]
	})
	c.t.Cleanup(httpClient.CloseIdleConnections)
	return inst
}

func TestCLICreateUser(t *testing.T) {
	c := newCLI(t)
	c.mustRun("", "migrate")
	args := []string{"admin", "create-user", "--email", "mo@stadt.example", "--name", "Mo Moderator", "--role", "moderator"}

	out, err := c.run("geheimes-passwort-123\n", args...)
	if err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Fatalf("create-user without --password-stdin: want an error naming the flag, got %v\n%s", err, out)
	}
	if _, err := c.run("kurz\n", append(args, "--password-stdin")...); err == nil {
		t.Fatal("create-user with a short password succeeded")
	}
	if _, err := c.run("", append(args, "--password-stdin")...); err == nil {
		t.Fatal("create-user with an empty standard input succeeded")
	}
	bad := []string{"admin", "create-user", "--email", "x@stadt.example", "--name", "X", "--role", "kaiser", "--password-stdin"}
	if _, err := c.run("geheimes-passwort-123\n", bad...); err == nil {
		t.Fatal("create-user with an unknown role succeeded")
	}
	if _, err := c.run("geheimes-passwort-123\n", "admin", "delete-everything"); err == nil {
		t.Fatal("unknown admin task succeeded")
	}
	if n := c.counts()["users"]; n != 0 {
		t.Fatalf("refused create-user calls stored %d users", n)
	}

	out = c.mustRun("geheimes-passwort-123\n", append(args, "--password-stdin")...)
	if !strings.Contains(out, "mo@stadt.example") || !strings.Contains(out, "moderator") {
		t.Errorf("create-user output: %q", out)
	}
	if strings.Contains(out, "geheimes-passwort-123") {
		t.Errorf("create-user prints the password")
	}
	if _, err := c.run("anderes-passwort-456\n", append(args, "--password-stdin")...); err == nil {
		t.Fatal("create-user with a taken e-mail succeeded")
	}
	if n := c.counts()["users"]; n != 1 {
		t.Fatalf("%d users, want 1", n)
	}

	inst := c.server()
	r := call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "mo@stadt.example", "password": "geheimes-passwort-123"})
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("the created user cannot log in: %s", r)
	}
	m := r.JSON(t)
	if u := m["user"].(map[string]any); u["role"] != "moderator" || u["name"] != "Mo Moderator" {
		t.Fatalf("created user: %s", r)
	}
	want(t, call(t, inst, "POST", "/api/v1/workshops", m["token"].(string), map[string]any{"title": "Vom Terminal"}), 201, "created moderator creates a workshop")
	wantProblem(t, call(t, inst, "POST", "/api/v1/auth/token", "", map[string]any{"email": "mo@stadt.example", "password": "anderes-passwort-456"}), 401, "the refused duplicate's password")
}

func TestCLIMigrateTwice(t *testing.T) {
	c := newCLI(t)
	first := c.mustRun("", "migrate")
	if !strings.Contains(first, "0001_initial") {
		t.Errorf("first migrate does not name the steps it applied: %q", first)
	}
	second := c.mustRun("", "migrate")
	if !strings.Contains(second, "up to date") {
		t.Errorf("second migrate: %q, want 'up to date'", second)
	}
	if n := c.counts()["users"]; n != 0 {
		t.Errorf("migrate created %d users", n)
	}
}

func TestCLISeedTwice(t *testing.T) {
	c := newCLI(t)
	c.mustRun("", "migrate")
	out := c.mustRun("", "seed")
	first := c.counts()
	if first["users"] < 2 || first["workshops"] < 1 || first["ideas"] < 1 || first["votes"] < 1 || first["comments"] < 1 {
		t.Fatalf("seed created too little: %v", first)
	}
	if strings.Count(out, "password:") < 1 {
		t.Errorf("first seed prints no passwords of the new accounts: %q", out)
	}
	out = c.mustRun("", "seed")
	if again := c.counts(); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatalf("second seed changed the data: %v, then %v", first, again)
	}
	if !strings.Contains(out, "seeded: 0 workshops, 0 ideas, 0 votes, 0 comments") || strings.Contains(out, "password:") {
		t.Errorf("second seed output: %q", out)
	}
	// The seeded data is served.
	inst := c.server()
	r := call(t, inst, "GET", "/api/v1/workshops", "", nil)
	want(t, r, 200, "list seeded workshops")
	var list struct{ Items []map[string]any }
	r.Decode(t, &list)
	if len(list.Items) == 0 {
		t.Errorf("no seeded workshop is public")
	}
}

func TestCLIUsage(t *testing.T) {
	c := newCLI(t)
	out := c.mustRun("", "help")
	for _, cmd := range []string{"serve", "migrate", "seed", "admin"} {
		if !strings.Contains(out, cmd) {
			t.Errorf("usage does not mention %s", cmd)
		}
	}
	if _, err := c.run("", "zaubern"); err == nil {
		t.Error("an unknown command succeeded")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var servingOn = regexp.MustCompile(`serving on (\S+)\)`)

// serve runs `werkstatt serve` until it answers /readyz, then stops it. It
// returns the error of a refused start instead.
func (c *cli) serve() error {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, []string{"werkstatt", "serve"}, func(k string) string { return c.env[k] }, strings.NewReader(""), &out, io.Discard)
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(60 * time.Second)
	for {
		select {
		case err := <-done:
			if err == nil {
				c.t.Fatalf("serve ended by itself without an error: %s", out.String())
			}
			return err
		case <-giveUp:
			c.t.Fatalf("serve neither started nor failed: %s", out.String())
		case <-tick.C:
			m := servingOn.FindStringSubmatch(out.String())
			if m == nil {
				continue
			}
			r, err := tryCall(nil, "GET", "http://"+m[1]+"/readyz", "")
			if err != nil || r.Status != 200 {
				c.t.Fatalf("started server does not answer /readyz: %v %v", err, r)
			}
			httpClient.CloseIdleConnections()
			cancel()
			if err := <-done; err != nil {
				c.t.Fatalf("serve did not stop cleanly: %v", err)
			}
			return nil
		}
	}
}

func TestCLIServe(t *testing.T) {
	t.Run("PostgreSQL schema behind", func(t *testing.T) {
		// On SQLite serve migrates by itself (the next subtest), so there is
		// nothing to refuse.
		testutil.Need(t, testutil.Postgres(), "needs PostgreSQL (TEST_DATABASE_URL): on SQLite, serve migrates by itself")
		c := newCLI(t)
		err := c.serve()
		if err == nil || !strings.Contains(err.Error(), "werkstatt migrate") {
			t.Fatalf("serve on an empty schema: want a refusal naming `werkstatt migrate`, got %v", err)
		}
		c.mustRun("", "migrate")
		if err := c.serve(); err != nil {
			t.Fatalf("serve after migrate: %v", err)
		}
		// One step forgotten: behind again.
		db, err := models.Open(context.Background(), models.Options{PostgresURL: c.env["DATABASE_URL"]})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Exec("DELETE FROM schema_migrations WHERE id = (SELECT MAX(id) FROM schema_migrations)").Error
		models.Close(db)
		if err != nil {
			t.Fatal(err)
		}
		err = c.serve()
		if err == nil || !strings.Contains(err.Error(), "werkstatt migrate") {
			t.Fatalf("serve on a schema one step behind: want a refusal naming `werkstatt migrate`, got %v", err)
		}
		if _, err := c.run("x-passwort-1234\n", "admin", "create-user", "--email", "a@b.example", "--name", "A", "--password-stdin"); err == nil ||
			!strings.Contains(err.Error(), "werkstatt migrate") {
			t.Fatalf("create-user on a schema behind: want a refusal naming `werkstatt migrate`, got %v", err)
		}
	})
	t.Run("SQLite migrates by itself", func(t *testing.T) {
		if testutil.Postgres() {
			t.Skip("SQLite only: on PostgreSQL serve refuses a schema that is behind")
		}
		c := newCLI(t)
		if err := c.serve(); err != nil {
			t.Fatalf("serve on a fresh SQLite database: %v", err)
		}
		if n := c.counts()["users"]; n != 0 {
			t.Errorf("serve with WERKSTATT_SEED=false created %d users", n)
		}
	})
}
