package app_test

// The W3C Web Annotation export, checked with the W3C Working Group's own
// test schemas: scripts/validate-annotations/validate.mjs runs every MUST
// assertion of the suite (vendored in shared/validators/vendor) on a real
// export of a running server. Needs node and the script's npm packages;
// skips without them, fails under WERKSTATT_TEST_ALL=1.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"werkstatt/app/testutil"
)

// validatorDir is the script's folder, seen from this package's folder.
const validatorDir = "../scripts/validate-annotations"

// annotationValidator returns the node binary and the environment the
// script needs, installing its packages with `npm ci` when they are missing.
func annotationValidator(t *testing.T) (node string, env []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	testutil.Need(t, err == nil, "node not found in PATH: cannot run the W3C Web Annotation validator")
	dir, err := filepath.Abs(validatorDir)
	if err != nil {
		t.Fatal(err)
	}
	vendor := os.Getenv("VALIDATORS_VENDOR_DIR")
	if vendor == "" {
		vendor = filepath.Join(dir, "..", "..", "..", "shared", "validators", "vendor")
	}
	_, err = os.Stat(filepath.Join(vendor, "web-annotation-tests", "annotations", "annotationMusts.test"))
	testutil.Need(t, err == nil, "W3C web-annotation-tests schemas not found (set VALIDATORS_VENDOR_DIR or put shared/ beside the repository): "+vendor)

	installed := true
	for _, pkg := range []string{"ajv", "ajv-draft-04", "ajv-formats"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			installed = false
		}
	}
	if !installed {
		npm, err := exec.LookPath("npm")
		testutil.Need(t, err == nil, "the validator's packages are not installed and npm is not in PATH")
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		testutil.Need(t, err == nil, fmt.Sprintf("npm ci in %s failed: %v\n%s", validatorDir, err, out))
	}
	return node, append(os.Environ(), "VALIDATORS_VENDOR_DIR="+vendor)
}

// runValidator runs validate.mjs with args and returns its exit code and
// output.
func runValidator(t *testing.T, node string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(node, append([]string{filepath.Join(validatorDir, "validate.mjs")}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatalf("run validator: %v", err)
	}
	return 0, string(out)
}

func TestWebAnnotationExportPassesW3CSchemas(t *testing.T) {
	node, env := annotationValidator(t)

	// The validator itself: the suite's correct samples pass, its incorrect
	// ones fail. Without this a validator that accepts anything would pass.
	if code, out := runValidator(t, node, env, "--self-test"); code != 0 {
		t.Fatalf("validator self-test failed (exit %d):\n%s", code, out)
	}

	inst := start(t)
	f := newScreenFixture(t, inst, "open")
	anna, _ := joinGuest(t, inst, f.w, "Gast Änne <Ö>")
	bert, _ := joinGuest(t, inst, f.w, "Gast Bert")
	pin := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 12.5, "y": 40, "body": "Der **Knopf** ist zu klein"})
	annotate(t, inst, bert, f.screen.ID, map[string]any{"x": 10, "y": 20, "w": 30, "h": 15, "body": "Bereich <b>unklar</b> – \"Termin\" & Co."})
	corner := annotate(t, inst, anna, f.screen.ID, map[string]any{"x": 100, "y": 100, "body": "Ecke"})
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/annotations/%d/replies", pin.ID), bert, map[string]any{"body": "Stimmt"}), 201, "reply")
	want(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/annotations/%d/me-too", pin.ID), bert, nil), 200, "me too")
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/annotations/%d/promote", corner.ID), f.mod, nil), 201, "promote")
	want(t, call(t, inst, "POST", fmt.Sprintf("/api/v1/annotations/%d/resolve", pin.ID), f.mod, nil), 200, "resolve")

	export := func(screenID uint64) []byte {
		r := callHeaders(t, inst, "GET", annotationsPath(screenID), "", nil, map[string]string{"Accept": "application/ld+json"})
		want(t, r, 200, "JSON-LD export")
		return r.Body
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "page.json")
	if err := os.WriteFile(page, export(f.screen.ID), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runValidator(t, node, env, page)
	if code != 0 {
		t.Fatalf("the export fails the W3C MUST assertions (exit %d):\n%s", code, out)
	}
	if !strings.Contains(out, "ok, 3 annotation(s)") {
		t.Fatalf("validator did not check the 3 annotations: %s", out)
	}

	// A screen without annotations exports a valid empty page.
	empty := uploadScreen(t, inst, f.mod, f.proto.ID, "Leer", testPNG(t, 320, 200, 50))
	if err := os.WriteFile(page, export(empty.ID), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runValidator(t, node, env, page); code != 0 {
		t.Fatalf("the empty export fails the W3C MUST assertions (exit %d):\n%s", code, out)
	}

	// The same export with its first item's target removed must fail:
	// the run above checked the items, not just the page.
	var doc map[string]any
	if err := json.Unmarshal(export(f.screen.ID), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["items"].([]any)[0].(map[string]any), "target")
	broken, _ := json.Marshal(doc)
	if err := os.WriteFile(page, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out = runValidator(t, node, env, page)
	if code != 1 || !strings.Contains(out, "3.1-targetKeyFound") {
		t.Fatalf("an annotation without target passed or failed for another reason (exit %d):\n%s", code, out)
	}
}
