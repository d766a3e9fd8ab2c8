// Package seeds holds Werkstatt's demo data: a realistic German programme
// of workshops with ideas, votes and comments, loaded by `werkstatt seed` and
// on the first start of an empty database. Applying it is idempotent.
package seeds

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed demo.json
var demoJSON []byte

// Screens holds the screenshots of the demo prototypes.
//
//go:embed screens
var Screens embed.FS

// Demo is the whole demo data set.
type Demo struct {
	Accounts  []Account  `json:"accounts"`
	Workshops []Workshop `json:"workshops"`
}

// Account is a staff account; its password is generated and printed once.
type Account struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Workshop is one demo workshop, created by the first moderator account.
type Workshop struct {
	Slug         string      `json:"slug"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	Phase        string      `json:"phase"`        // the phase it ends in
	Participants []string    `json:"participants"` // display names of guests
	Ideas        []Idea      `json:"ideas"`
	Prototypes   []Prototype `json:"prototypes"`
}

// Prototype is a demo prototype with its screens.
type Prototype struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	LinkURL     string   `json:"link_url"`
	Screens     []Screen `json:"screens"`
}

// Screen is a demo screenshot, a file under screens/, with annotations.
type Screen struct {
	File        string       `json:"file"`
	Title       string       `json:"title"`
	Alt         string       `json:"alt"`
	Annotations []Annotation `json:"annotations"`
}

// Annotation is a demo pin (W = H = 0) or area, in percent. Author, the
// repliers and MeToo index the workshop's Participants.
type Annotation struct {
	Author  int       `json:"author"`
	X       float64   `json:"x"`
	Y       float64   `json:"y"`
	W       float64   `json:"w"`
	H       float64   `json:"h"`
	Body    string    `json:"body"`
	Replies []Comment `json:"replies"`
	MeToo   []int     `json:"me_too"`
}

// Idea is a demo idea. Author and commenters index Participants; Votes is
// how many participants support it (the first ones, the author included).
type Idea struct {
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Author   int       `json:"author"`
	Votes    int       `json:"votes"`
	Comments []Comment `json:"comments"`
}

// Comment is a demo comment.
type Comment struct {
	Author int    `json:"author"`
	Body   string `json:"body"`
}

// Load parses the embedded demo data and checks its references.
func Load() (*Demo, error) {
	var d Demo
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		return nil, fmt.Errorf("seeds: demo.json: %w", err)
	}
	for _, w := range d.Workshops {
		n := len(w.Participants)
		for _, p := range w.Prototypes {
			for _, sc := range p.Screens {
				if _, err := Screens.Open("screens/" + sc.File); err != nil {
					return nil, fmt.Errorf("seeds: screen %q: %w", sc.File, err)
				}
				for _, a := range sc.Annotations {
					ok := a.Author >= 0 && a.Author < n
					for _, r := range a.Replies {
						ok = ok && r.Author >= 0 && r.Author < n
					}
					for _, m := range a.MeToo {
						ok = ok && m >= 0 && m < n
					}
					if !ok {
						return nil, fmt.Errorf("seeds: an annotation on %q refers to a participant that does not exist", sc.File)
					}
				}
			}
		}
		for _, i := range w.Ideas {
			if i.Author < 0 || i.Author >= n || i.Votes > n {
				return nil, fmt.Errorf("seeds: idea %q refers to a participant that does not exist", i.Title)
			}
			for _, c := range i.Comments {
				if c.Author < 0 || c.Author >= n {
					return nil, fmt.Errorf("seeds: a comment on %q refers to a participant that does not exist", i.Title)
				}
			}
		}
	}
	return &d, nil
}
