package handlers

import (
	"math"
	"testing"

	"werkstatt/app/apperr"
)

func TestAnnotationInputForm(t *testing.T) {
	for _, c := range []struct {
		name       string
		in         AnnotationInput
		x, y, w, h float64
		fields     []string // fields with an error, in order; nil when valid
	}{
		{"pin", AnnotationInput{X: "40", Y: "25", Body: "b"}, 40, 25, 0, 0, nil},
		{"German decimal and percent sign", AnnotationInput{X: "40,5", Y: " 25.5 % ", Body: "b"}, 40.5, 25.5, 0, 0, nil},
		{"area", AnnotationInput{X: "10", Y: "20", W: "30", H: "15", Body: "b"}, 10, 20, 30, 15, nil},
		{"grid when x and y are empty", AnnotationInput{Grid: "bottom-right", Body: "b"}, 83.3, 83.3, 0, 0, nil},
		{"fields win over the grid", AnnotationInput{X: "1", Y: "2", Grid: "top-left", Body: "b"}, 1, 2, 0, 0, nil},
		{"no position at all", AnnotationInput{Body: "b"}, 0, 0, 0, 0, []string{"position"}},
		{"unknown grid cell", AnnotationInput{Grid: "outside", Body: "b"}, 0, 0, 0, 0, []string{"position"}},
		{"x without y", AnnotationInput{X: "5", Body: "b"}, 0, 0, 0, 0, []string{"y"}},
		{"no position and no text", AnnotationInput{}, 0, 0, 0, 0, []string{"position", "body"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := c.in.form()
			if c.fields == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if f.X != c.x || f.Y != c.y || f.W != c.w || f.H != c.h {
					t.Fatalf("got %v/%v/%v/%v, want %v/%v/%v/%v", f.X, f.Y, f.W, f.H, c.x, c.y, c.w, c.h)
				}
				return
			}
			ae := apperr.As(err)
			var got []string
			for _, fe := range ae.Fields {
				got = append(got, fe.Field)
			}
			if ae.Code != apperr.Invalid || len(got) != len(c.fields) {
				t.Fatalf("fields %v (%v), want %v", got, err, c.fields)
			}
			for i := range got {
				if got[i] != c.fields[i] {
					t.Fatalf("fields %v, want %v", got, c.fields)
				}
			}
		})
	}
}

func TestParsePercentRefusesWhatIsNoNumber(t *testing.T) {
	for _, s := range []string{"abc", "1e400", "4 0"} {
		if v, ok := parsePercent(s); !ok || !math.IsNaN(v) {
			t.Errorf("parsePercent(%q) = %v, %v; want NaN, true", s, v, ok)
		}
	}
	if _, ok := parsePercent("  "); ok {
		t.Error("an empty field counts as given")
	}
}

func TestScreenFormFor(t *testing.T) {
	for _, c := range []struct {
		name          string
		i, n          int
		file          string
		titles, alts  []string
		title, altOut string
	}{
		{"one file, its title", 0, 1, "a.png", []string{"Start"}, []string{"Alt"}, "Start", "Alt"},
		{"one file, no title: from the name", 0, 1, "02_termin-buchen.png", []string{""}, nil, "Termin buchen", ""},
		{"shared title is numbered", 1, 3, "b.png", []string{"Variante"}, []string{"Gleich"}, "Variante (2)", "Gleich"},
		{"one per file", 1, 2, "b.png", []string{"Eins", "Zwei"}, []string{"A1", "A2"}, "Zwei", "A2"},
		{"one per file, empty: from the name", 0, 2, "C:\\Bilder\\startseite.webp", []string{"", "x"}, []string{"", ""}, "Startseite", ""},
		{"no fields at all", 0, 2, "1 - übersicht.jpeg", nil, nil, "Übersicht", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := screenFormFor(c.i, c.n, c.file, c.titles, c.alts)
			if f.Title != c.title || f.Alt != c.altOut {
				t.Fatalf("got %q/%q, want %q/%q", f.Title, f.Alt, c.title, c.altOut)
			}
		})
	}
}

func TestPct(t *testing.T) {
	for _, c := range []struct {
		lang string
		v    float64
		want string
	}{{"de", 40, "40"}, {"de", 16.666, "16,7"}, {"en", 16.666, "16.7"}, {"de", 0.04, "0"}} {
		if got := pct(c.lang, c.v); got != c.want {
			t.Errorf("pct(%s, %v) = %q, want %q", c.lang, c.v, got, c.want)
		}
	}
}
