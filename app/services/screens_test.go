package services_test

// An upload is all or nothing (issue 3): when the object store fails, no
// screen row is written and no object is left behind; when the database
// fails after the objects were written, they are removed again, unless an
// existing screen refers to them; and the sweeper collects what no row
// refers to. The tests run in-process on the store the app opens (the
// local folder, or a fresh bucket on the real S3 server with TEST_S3_*)
// and on SQLite or PostgreSQL (TEST_DATABASE_URL).

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"werkstatt/app"
	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/services"
	"werkstatt/app/storage"
	"werkstatt/app/testutil"
	"werkstatt/models"
)

var errStoreDown = errors.New("test store: injected failure")

// flakyStore is the app's own store with failures injected: Put fails once
// putsLeft successful puts have been made (never while it is negative), and
// Stat fails while failStat is set.
type flakyStore struct {
	storage.Store
	mu       sync.Mutex
	putsLeft int
	failStat bool
	written  []string
	// afterPuts, if set, runs once after that many successful puts, before
	// Put returns: the moment an upload has written its objects but not
	// yet its row.
	afterPuts int
	hook      func()
}

func (f *flakyStore) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	f.mu.Lock()
	if f.putsLeft == 0 {
		f.mu.Unlock()
		return errStoreDown
	}
	if f.putsLeft > 0 {
		f.putsLeft--
	}
	f.mu.Unlock()
	if err := f.Store.Put(ctx, key, r, size, contentType); err != nil {
		return err
	}
	f.mu.Lock()
	f.written = append(f.written, key)
	var hook func()
	if f.hook != nil && len(f.written) == f.afterPuts {
		hook, f.hook = f.hook, nil
	}
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	return nil
}

func (f *flakyStore) Stat(ctx context.Context, key string) (storage.Info, error) {
	f.mu.Lock()
	fail := f.failStat
	f.mu.Unlock()
	if fail {
		return storage.Info{}, errStoreDown
	}
	return f.Store.Stat(ctx, key)
}

// fixture is a running instance with a moderator and a prototype.
type fixture struct {
	inst      *app.Instance
	mod       auth.Actor
	prototype uint64
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	inst := testutil.Start(t)
	t.Logf("object store: %s, database: %s", inst.Svc.Store.Name(), inst.DB.Dialector.Name())
	ctx := context.Background()
	u, err := inst.Svc.CreateUser(ctx, forms.Register{Email: "mod@stadt.example", Name: "Moderatorin", Password: "ein-langes-passwort"}, auth.RoleModerator)
	if err != nil {
		t.Fatal(err)
	}
	mod := auth.Actor{UserID: u.ID, Role: u.Role}
	title := "Werkstatt Bürgerservice"
	w, err := inst.Svc.CreateWorkshop(ctx, mod, forms.Workshop{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	p, err := inst.Svc.CreatePrototype(ctx, mod, w.Slug, forms.Prototype{Title: "Bürgerservice-App"})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{inst: inst, mod: mod, prototype: p.ID}
}

// withStore returns services that share the instance's database but use
// store.
func (f fixture) withStore(store storage.Store) *services.Services {
	return services.New(f.inst.DB, store, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour)
}

// keys lists the screen objects in the instance's real store.
func (f fixture) keys(t *testing.T) []string {
	t.Helper()
	infos, err := f.inst.Svc.Store.List(context.Background(), "screens/")
	if err != nil {
		t.Fatalf("list store: %v", err)
	}
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.Key
	}
	return out
}

func (f fixture) screenRows(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := f.inst.DB.Model(&models.Screen{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// upload sends img through UploadScreen of svc.
func (f fixture) upload(ctx context.Context, svc *services.Services, img []byte) (*models.Screen, error) {
	return svc.UploadScreen(ctx, f.mod, f.prototype, forms.Screen{Title: "Startseite"}, bytes.NewReader(img))
}

// wideImage is a 2000×500 PNG: wider than the display and thumbnail
// widths, so an upload stores three distinct objects.
func wideImage(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2000, 500))
	for y := range 500 {
		for x := range 2000 {
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x/8), uint8(y/2), seed+uint8((x/16+y/16)%2*90), 255
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func wantCode(t *testing.T, err error, code apperr.Code, what string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("%s: error %v, want apperr code %q", what, err, code)
	}
}

func TestUploadScreenStoreFailureLeavesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// One screen is there already; failed uploads must not touch its objects.
	if _, err := f.upload(ctx, f.inst.Svc, wideImage(t, 1)); err != nil {
		t.Fatal(err)
	}
	before := f.keys(t)
	if len(before) != 3 {
		t.Fatalf("first upload stored %d objects, want 3: %v", len(before), before)
	}
	img := wideImage(t, 2)

	cases := []struct {
		name     string
		store    *flakyStore
		wantPuts int // objects written before the failure
	}{
		{"first Put fails", &flakyStore{putsLeft: 0}, 0},
		{"second Put fails", &flakyStore{putsLeft: 1}, 1},
		{"third Put fails", &flakyStore{putsLeft: 2}, 2},
		{"Stat fails", &flakyStore{putsLeft: -1, failStat: true}, 0},
	}
	for _, c := range cases {
		c.store.Store = f.inst.Svc.Store
		s, err := f.upload(ctx, f.withStore(c.store), img)
		if err == nil {
			t.Fatalf("%s: upload succeeded (screen %d)", c.name, s.ID)
		}
		wantCode(t, err, apperr.Unavailable, c.name)
		if len(c.store.written) != c.wantPuts {
			t.Fatalf("%s: %d objects written before the failure, want %d: the double does not fail where meant", c.name, len(c.store.written), c.wantPuts)
		}
		if n := f.screenRows(t); n != 1 {
			t.Fatalf("%s: %d screen rows, want 1", c.name, n)
		}
		if got := f.keys(t); !slices.Equal(got, before) {
			t.Fatalf("%s: store holds %v, want only the earlier upload's %v", c.name, got, before)
		}
	}

	// The same double, healthy, passes uploads through.
	healthy := &flakyStore{Store: f.inst.Svc.Store, putsLeft: -1}
	if _, err := f.upload(ctx, f.withStore(healthy), img); err != nil {
		t.Fatalf("upload through a healthy double: %v", err)
	}
	if len(healthy.written) != 3 || len(f.keys(t)) != 6 {
		t.Fatalf("healthy double wrote %v; store holds %v", healthy.written, f.keys(t))
	}
}

// failScreenInserts makes inserting a screen fail for contexts marked by
// it, as a database that fails after the objects were written.
type failScreenInserts struct{}

func TestUploadScreenDatabaseFailureRemovesObjects(t *testing.T) {
	f := newFixture(t)
	err := f.inst.DB.Callback().Create().Before("gorm:create").Register("test:fail_screen_insert", func(db *gorm.DB) {
		if db.Statement.Context.Value(failScreenInserts{}) != nil && db.Statement.Table == "screens" {
			_ = db.AddError(errors.New("injected: insert into screens failed"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	failing := context.WithValue(ctx, failScreenInserts{}, true)
	a := wideImage(t, 10)
	if _, err := f.upload(ctx, f.inst.Svc, a); err != nil {
		t.Fatal(err)
	}
	keysA := f.keys(t)
	if len(keysA) != 3 {
		t.Fatalf("upload stored %d objects, want 3", len(keysA))
	}

	// A new image whose row cannot be written: its objects were written
	// (the spy shows it) and are gone again.
	spy := &flakyStore{Store: f.inst.Svc.Store, putsLeft: -1}
	if s, err := f.upload(failing, f.withStore(spy), wideImage(t, 11)); err == nil {
		t.Fatalf("upload succeeded despite the failing insert (screen %d)", s.ID)
	}
	if len(spy.written) != 3 {
		t.Fatalf("the failed upload wrote %d objects first, want 3 (the test checks nothing otherwise)", len(spy.written))
	}
	if n := f.screenRows(t); n != 1 {
		t.Fatalf("%d screen rows, want 1", n)
	}
	if got := f.keys(t); !slices.Equal(got, keysA) {
		t.Fatalf("after the failed insert the store holds %v, want only %v", got, keysA)
	}

	// The same image as the existing screen: the rollback must not remove
	// objects an existing row refers to.
	if _, err := f.upload(failing, f.inst.Svc, a); err == nil {
		t.Fatal("duplicate upload succeeded despite the failing insert")
	}
	if got := f.keys(t); !slices.Equal(got, keysA) {
		t.Fatalf("a failed duplicate upload changed the store: %v, want %v", got, keysA)
	}
	for _, k := range keysA {
		r, _, err := f.inst.Svc.Store.Get(ctx, k)
		if err != nil {
			t.Fatalf("object %s of the existing screen: %v", k, err)
		}
		r.Close()
	}
	// Without the failure the insert works again.
	if _, err := f.upload(ctx, f.inst.Svc, wideImage(t, 11)); err != nil {
		t.Fatalf("upload after the failure: %v", err)
	}
	if n := len(f.keys(t)); n != 6 {
		t.Fatalf("%d objects after a good second upload, want 6", n)
	}
}

// Two uploads of one image at once: the first writes the objects, the
// second finds them and commits its row, then the first one's row fails.
// Its rollback must leave the objects, which the second screen now uses.
func TestUploadScreenRollbackKeepsObjectsOfConcurrentUpload(t *testing.T) {
	f := newFixture(t)
	err := f.inst.DB.Callback().Create().Before("gorm:create").Register("test:fail_screen_insert", func(db *gorm.DB) {
		if db.Statement.Context.Value(failScreenInserts{}) != nil && db.Statement.Table == "screens" {
			_ = db.AddError(errors.New("injected: insert into screens failed"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	img := wideImage(t, 30)
	var second *models.Screen
	var secondErr error
	spy := &flakyStore{Store: f.inst.Svc.Store, putsLeft: -1, afterPuts: 3, hook: func() {
		second, secondErr = f.upload(ctx, f.inst.Svc, img)
	}}
	if _, err := f.upload(context.WithValue(ctx, failScreenInserts{}, true), f.withStore(spy), img); err == nil {
		t.Fatal("first upload succeeded despite the failing insert")
	}
	if secondErr != nil || second == nil {
		t.Fatalf("second upload (during the first): %v", secondErr)
	}
	if len(spy.written) != 3 {
		t.Fatalf("first upload wrote %d objects, want 3", len(spy.written))
	}
	for _, k := range []string{second.ImageKey, second.DisplayKey, second.ThumbKey} {
		if _, err := f.inst.Svc.Store.Stat(ctx, k); err != nil {
			t.Errorf("object %s of the committed screen %d: %v", k, second.ID, err)
		}
	}
	if n := f.screenRows(t); n != 1 {
		t.Fatalf("%d screen rows, want 1", n)
	}
}

func TestSweepObjects(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sc, err := f.upload(ctx, f.inst.Svc, wideImage(t, 20))
	if err != nil {
		t.Fatal(err)
	}
	referenced := []string{sc.ImageKey, sc.DisplayKey, sc.ThumbKey}
	store := f.inst.Svc.Store
	orphans := []string{"screens/ab/" + strings.Repeat("ab", 32) + ".png", "screens/cd/" + strings.Repeat("cd", 32) + ".jpg"}
	other := "reports/2026/bericht.pdf" // not a screen object: never swept
	for _, k := range append(slices.Clone(orphans), other) {
		if err := store.Put(ctx, k, strings.NewReader("verwaist"), 8, "application/octet-stream"); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(key string) bool {
		_, err := store.Stat(ctx, key)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("stat %s: %v", key, err)
		}
		return err == nil
	}
	svc := f.withStore(store)

	// Just written: within the grace period, so kept (an upload in flight
	// writes its objects before its row).
	svc.Now = func() time.Time { return time.Now().UTC() }
	n, err := svc.SweepObjects(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("sweep removed %d objects younger than the grace period", n)
	}
	for _, k := range append(slices.Clone(orphans), referenced...) {
		if !exists(k) {
			t.Fatalf("fresh object %s was swept", k)
		}
	}

	// Two hours later: the orphans are old enough and go; what a screen
	// refers to stays, and so does everything outside screens/.
	svc.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Hour) }
	n, err = svc.SweepObjects(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(orphans) {
		t.Errorf("sweep removed %d objects, want %d", n, len(orphans))
	}
	for _, k := range orphans {
		if exists(k) {
			t.Errorf("orphan %s survived the sweep", k)
		}
	}
	for _, k := range append(slices.Clone(referenced), other) {
		if !exists(k) {
			t.Errorf("%s was swept, but it is referenced or not a screen object", k)
		}
	}
	got := f.keys(t)
	slices.Sort(referenced)
	referenced = slices.Compact(referenced)
	if !slices.Equal(got, referenced) {
		t.Errorf("after the sweep the store holds %v, want %v", got, referenced)
	}
}
