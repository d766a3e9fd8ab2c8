package markdown

import (
	"regexp"
	"strings"
	"testing"
)

// liveHandler finds event handlers and script URLs inside real tags (text
// that merely shows such markup is escaped and has no '<').
var liveHandler = regexp.MustCompile(`<[^>]*(\son[a-z]+\s*=|javascript:|vbscript:|data:text/html)`)

func TestRender(t *testing.T) {
	cases := []struct {
		name, in     string
		want, absent []string
	}{
		{"emphasis", "**fett** und _kursiv_", []string{"<strong>fett</strong>", "<em>kursiv</em>"}, nil},
		{"list", "- eins\n- zwei", []string{"<ul>", "<li>eins</li>"}, nil},
		{"raw script", "<script>alert(1)</script>hallo", []string{"hallo", "&lt;script&gt;"}, []string{"<script", "alert(1)</script>"}},
		{"inline angle text", "Bitte <Termin> online", []string{"Bitte &lt;Termin&gt; online"}, nil},
		{"event handler", `<img src=x onerror="alert(1)">`, []string{"&lt;img"}, []string{"<img"}},
		{"javascript link", "[klick](javascript:alert(1))", []string{"klick"}, []string{"javascript:"}},
		{"safe link", "[Stadt](https://example.org/a?b=c)", []string{`href="https://example.org/a?b=c"`, `rel="nofollow noreferrer"`}, nil},
		{"markdown image", "![x](https://tracker.example/p.gif)", nil, []string{"<img", "tracker.example"}},
		{"autolink", "siehe https://example.org", []string{`<a href="https://example.org"`}, nil},
		{"html entity escape", "a < b & c", []string{"a &lt; b &amp; c"}, nil},
		{"style attribute", `<p style="color:red">x</p>`, nil, []string{`<p style=`}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(Render(c.in))
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", c.in, got, w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(got, a) {
					t.Errorf("Render(%q) = %q, must not contain %q", c.in, got, a)
				}
			}
		})
	}
}

func TestPlain(t *testing.T) {
	if got := Plain("**Termine** <b>online</b>"); strings.Contains(got, "<") || !strings.Contains(got, "Termine") {
		t.Errorf("Plain = %q, want text without markup", got)
	}
}

// FuzzRender checks that no input yields script or event handlers.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"<script>x</script>", "[a](javascript:x)", "<a href=x onclick=y>z</a>", "**b**", "<svg onload=alert(1)>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := strings.ToLower(string(Render(in)))
		for _, bad := range []string{"<script", "<iframe", "<svg", "<img", "<object", "<embed", "<style", "<form"} {
			if strings.Contains(out, bad) {
				t.Fatalf("Render(%q) contains a live %q: %q", in, bad, out)
			}
		}
		if m := liveHandler.FindString(out); m != "" {
			t.Fatalf("Render(%q) has an event handler or script URL in a tag: %q", in, m)
		}
	})
}
