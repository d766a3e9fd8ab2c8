package services_test

import (
	"bytes"
	"context"
	"testing"

	"werkstatt/app/apperr"
	"werkstatt/app/forms"
	"werkstatt/app/services"
)

// A batch with one broken file stores nothing at all, and names the file.
func TestUploadScreensAllOrNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := wideImage(t, 1)
	broken := wideImage(t, 2)[:4000] // a PNG cut short: passes the header check, fails decoding
	batch := []services.ScreenUpload{
		{Form: forms.Screen{Title: "Start"}, File: bytes.NewReader(good)},
		{Form: forms.Screen{Title: "Kaputt"}, File: bytes.NewReader(broken)},
	}
	_, bad, err := f.inst.Svc.UploadScreens(ctx, f.mod, f.prototype, batch)
	wantCode(t, err, apperr.Invalid, "batch with a truncated file")
	if bad != 1 {
		t.Errorf("failing file index = %d, want 1", bad)
	}
	if n := f.screenRows(t); n != 0 {
		t.Errorf("%d screen rows after a failed batch, want 0", n)
	}
	if keys := f.keys(t); len(keys) != 0 {
		t.Errorf("objects left after a failed batch: %v", keys)
	}

	batch = []services.ScreenUpload{
		{Form: forms.Screen{Title: "Start"}, File: bytes.NewReader(good)},
		{Form: forms.Screen{Title: "Zweite"}, File: bytes.NewReader(wideImage(t, 3))},
	}
	screens, _, err := f.inst.Svc.UploadScreens(ctx, f.mod, f.prototype, batch)
	if err != nil {
		t.Fatalf("good batch: %v", err)
	}
	if len(screens) != 2 || screens[0].Position+1 != screens[1].Position {
		t.Fatalf("good batch stored %d screens with positions %v", len(screens), screens)
	}
	if n := f.screenRows(t); n != 2 {
		t.Errorf("%d screen rows after a good batch of two, want 2", n)
	}
}
