package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"werkstatt/app/i18n"
)

// root is the module root, seen from this package's folder.
const root = "../.."

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	de, en := i18n.Keys("de"), i18n.Keys("en")
	if len(de) < 50 {
		t.Fatalf("the German catalogue has only %d keys", len(de))
	}
	for _, k := range de {
		if !i18n.Has("en", k) {
			t.Errorf("%q is in de but not in en", k)
		}
	}
	for _, k := range en {
		if !i18n.Has("de", k) {
			t.Errorf("%q is in en but not in de", k)
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)

// Both languages must use the same arguments, each with an explicit index
// so translations may reorder them.
func TestCataloguesUseTheSameArguments(t *testing.T) {
	for _, k := range i18n.Keys("de") {
		var sets [2][]string
		for i, lang := range []string{"de", "en"} {
			msg := i18n.T(lang, k)
			for _, v := range verb.FindAllString(msg, -1) {
				if v == "%%" {
					continue
				}
				if !strings.HasPrefix(v, "%[") {
					t.Errorf("%s/%s: argument %q without an index (%%[1]d)", lang, k, v)
				}
				sets[i] = append(sets[i], v)
			}
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s/%s is empty", lang, k)
			}
			sort.Strings(sets[i])
		}
		if strings.Join(sets[0], " ") != strings.Join(sets[1], " ") {
			t.Errorf("%s: de uses %v, en uses %v", k, sets[0], sets[1])
		}
	}
}

// Dynamic keys in templates ({{.T (printf "phase.%s" …)}}) and the values
// they are built from. A new dynamic key must be added here.
var dynamic = map[string][]string{
	"phase.%s":           {"draft", "open", "voting", "closed"},
	"phase.move_to.%s":   {"open", "voting", "closed"},
	"workshop.now.%s":    {"draft", "open", "voting", "closed"},
	"idea.vote_state.%s": {"draft", "open", "voting", "closed"},
	"card.hint.%s":       {"draft", "open", "voting", "closed"},
	"role.%s":            {"participant", "moderator", "committee", "admin"},
	"lang.%s":            i18n.Languages,
}

var (
	staticT  = regexp.MustCompile(`\.T\s+"([^"]+)"`)
	staticN  = regexp.MustCompile(`\.N\s+"([^"]+)"`)
	printfTN = regexp.MustCompile(`\.(T|N)\s+\(printf\s+"([^"]+)"`)
)

// templateKeys scans views/ for the keys templates translate.
func templateKeys(t *testing.T) map[string]string {
	keys := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, "views"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		src := string(data)
		for _, m := range staticT.FindAllStringSubmatch(src, -1) {
			keys[m[1]] = p
		}
		for _, m := range staticN.FindAllStringSubmatch(src, -1) {
			keys[m[1]+".one"], keys[m[1]+".other"] = p, p
		}
		for _, m := range printfTN.FindAllStringSubmatch(src, -1) {
			values, ok := dynamic[m[2]]
			if !ok {
				t.Errorf("%s: dynamic key %q: add its values to the test's table", p, m[2])
				continue
			}
			for _, v := range values {
				k := strings.Replace(m[2], "%s", v, 1)
				if m[1] == "N" {
					keys[k+".one"], keys[k+".other"] = p, p
				} else {
					keys[k] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

var keyLike = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// goKeys scans the program's Go files for message keys: string arguments of
// apperr.New/Wrap, T, N, flash, newPage and the forms' add, and Key: fields.
func goKeys(t *testing.T) map[string]string {
	keys := map[string]string{}
	fset := token.NewFileSet()
	add := func(e ast.Expr, pos string, counted bool) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || !keyLike.MatchString(s) {
			return
		}
		if counted {
			keys[s+".one"], keys[s+".other"] = pos, pos
			return
		}
		keys[s] = pos
	}
	for _, dir := range []string{"app", "models"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					var name string
					switch fn := n.Fun.(type) {
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					case *ast.Ident:
						name = fn.Name
					}
					switch name {
					case "New", "Wrap", "T", "flash", "newPage", "add":
						for _, a := range n.Args {
							add(a, fset.Position(a.Pos()).String(), false)
						}
					case "N":
						for _, a := range n.Args {
							add(a, fset.Position(a.Pos()).String(), true)
						}
					}
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Key" {
						add(n.Value, fset.Position(n.Value.Pos()).String(), false)
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestEveryUsedKeyExists(t *testing.T) {
	tmpl, code := templateKeys(t), goKeys(t)
	// The scans must find what is certainly there, or they scan nothing.
	for _, k := range []string{"app.name", "nav.skip", "phase.closed", "count.ideas.one"} {
		if tmpl[k] == "" {
			t.Errorf("template scan missed %q", k)
		}
	}
	for _, k := range []string{"error.csrf", "error.not_found", "field.required", "join.welcome", "login.too_many", "home.title"} {
		if code[k] == "" {
			t.Errorf("Go scan missed %q", k)
		}
	}
	// Keys built at run time in Go: problem titles per error code, months.
	for _, code := range []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "too_large", "rate_limited", "unavailable", "internal"} {
		tmpl["problem."+code] = "server/errors.go"
	}
	for m := 1; m <= 12; m++ {
		tmpl["month."+strconv.Itoa(m)] = "handlers/render.go"
	}
	for _, used := range []map[string]string{tmpl, code} {
		for k, where := range used {
			for _, lang := range i18n.Languages {
				if !i18n.Has(lang, k) {
					t.Errorf("%s uses %q, missing in %s", where, k, lang)
				}
			}
		}
	}
}

func TestTAndN(t *testing.T) {
	if got := i18n.T("de", "count.ideas.other", 3); got != "3 Ideen" {
		t.Errorf("T with an argument: %q", got)
	}
	if got, want := i18n.N("de", "count.ideas", 1), i18n.T("de", "count.ideas.one", 1); got != want || !strings.Contains(got, "1") {
		t.Errorf("N(1) = %q, want %q", got, want)
	}
	for _, n := range []int64{0, 2, 17} {
		if got, want := i18n.N("en", "count.ideas", n), i18n.T("en", "count.ideas.other", n); got != want || !strings.Contains(got, strconv.FormatInt(n, 10)) {
			t.Errorf("N(%d) = %q, want %q", n, got, want)
		}
	}
	if got := i18n.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q, want the key itself", got)
	}
	if got := i18n.T("fr", "app.tagline"); got != i18n.T("de", "app.tagline") {
		t.Errorf("unknown language: %q, want the German text", got)
	}
	if i18n.T("en", "nav.login") == i18n.T("de", "nav.login") {
		t.Errorf("English and German login link are the same: is en translated?")
	}
}

func TestPick(t *testing.T) {
	for _, c := range []struct {
		query, cookie, accept, want string
	}{
		{"", "", "", "de"},
		{"en", "", "", "en"},
		{"de", "en", "en", "de"},
		{"", "en", "", "en"},
		{"", "en", "de", "en"},
		{"", "de", "en", "de"},
		{"fr", "", "", "de"},
		{"fr", "en", "", "en"},
		{"EN", "", "", "de"},
		{"", "xx", "en", "en"},
		{"", "", "en", "en"},
		{"", "", "en-US,en;q=0.9", "en"},
		{"", "", "EN-gb", "en"},
		{"", "", "de-AT", "de"},
		{"", "", "de, en", "de"},
		{"", "", "en, de", "en"},
		{"", "", "fr, en, de", "en"},
		{"", "", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7", "en"},
		{"", "", "de;q=0.2, en;q=0.8", "en"},
		{"", "", "en;q=0.3, de;q=0.8", "de"},
		{"", "", " en-GB ; q=0.7 , de;q=0.6", "en"},
		{"", "", "en;q=0", "de"},
		{"", "", "en;q=0, de;q=0", "de"},
		{"", "", "en;q=abc", "de"},
		{"", "", "fr, it", "de"},
		{"", "", "*", "de"},
	} {
		if got := i18n.Pick(c.query, c.cookie, c.accept); got != c.want {
			t.Errorf("Pick(%q, %q, %q) = %q, want %q", c.query, c.cookie, c.accept, got, c.want)
		}
	}
}
