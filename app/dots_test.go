package app_test

// Dot voting (issue 4): a budget per person and a maximum per idea that
// hold under any timing, on SQLite and PostgreSQL; refused changes say how
// many dots are left and change nothing. And many guests voting at once
// give exact totals.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"werkstatt/app"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
)

// dotsReplyJSON is PUT /api/v1/ideas/:id/dots.
type dotsReplyJSON struct {
	Count    int   `json:"count"`
	DotsLeft int   `json:"dots_left"`
	Dots     int64 `json:"dots"`
}

// dotWorkshop is an open workshop switched to dot voting (5 dots, at most
// 3 per idea) with n ideas.
func dotWorkshop(t *testing.T, inst *app.Instance, mod string, n int) (workshopJSON, []ideaJSON) {
	t.Helper()
	w := newWorkshop(t, inst, mod, unique("Punkte "), "open")
	author, _ := joinGuest(t, inst, w, "Autorin")
	r := call(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, mod, map[string]any{"voting_mode": "dots", "dot_budget": 5, "dots_per_idea_max": 3})
	want(t, r, 200, "switch to dot voting")
	ideas := make([]ideaJSON, n)
	for i := range ideas {
		ideas[i] = newIdea(t, inst, author, w.Slug, fmt.Sprintf("Idee %c", 'A'+i))
	}
	return w, ideas
}

func dotsPath(ideaID uint64) string { return fmt.Sprintf("/api/v1/ideas/%d/dots", ideaID) }

func putDots(t *testing.T, inst *app.Instance, token string, ideaID uint64, count int) reply {
	t.Helper()
	return call(t, inst, "PUT", dotsPath(ideaID), token, map[string]any{"count": count})
}

var number = regexp.MustCompile(`\d+`)

// numbersIn lists the numbers a text mentions.
func numbersIn(s string) []int {
	var out []int
	for _, m := range number.FindAllString(s, -1) {
		n, _ := strconv.Atoi(m)
		out = append(out, n)
	}
	return out
}

// wantDotsRefused checks a 409 problem whose detail states the dots left.
func wantDotsRefused(t *testing.T, r reply, left int, what string) {
	t.Helper()
	p := wantProblem(t, r, 409, what)
	if !slices.Contains(numbersIn(p.Detail), left) {
		t.Fatalf("%s: detail %q does not say that %d dots are left", what, p.Detail, left)
	}
}

// dotSums reads, straight from the database, each idea's dots_count and
// the sum of its rows in dots.
func dotSums(t *testing.T, inst *app.Instance, ideaID uint64) (column, rows int64) {
	t.Helper()
	if err := inst.DB.Table("ideas").Select("dots_count").Where("id = ?", ideaID).Row().Scan(&column); err != nil {
		t.Fatal(err)
	}
	if err := inst.DB.Table("dots").Select("COALESCE(SUM(count), 0)").Where("idea_id = ?", ideaID).Row().Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return column, rows
}

// dotsOf is a person's dots per idea in a workshop, from the database.
func dotsOf(t *testing.T, inst *app.Instance, userID uint64, slug string) (map[uint64]int, int) {
	t.Helper()
	rows, err := inst.DB.Table("dots").Select("dots.idea_id, dots.count").
		Joins("JOIN workshops ON workshops.id = dots.workshop_id").
		Where("dots.user_id = ? AND workshops.slug = ? AND dots.count > 0", userID, slug).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out, sum := map[uint64]int{}, 0
	for rows.Next() {
		var id uint64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
		sum += n
	}
	return out, sum
}

// wantConsistent checks the person's dots against the budget and every
// idea's total against its rows.
func wantConsistent(t *testing.T, inst *app.Instance, token string, userID uint64, w workshopJSON, ideas []ideaJSON) (sum int) {
	t.Helper()
	mine, sum := dotsOf(t, inst, userID, w.Slug)
	if sum > 5 {
		t.Errorf("the person holds %d dots, over the budget of 5: %v", sum, mine)
	}
	for id, n := range mine {
		if n > 3 {
			t.Errorf("the person holds %d dots on idea %d, over the maximum of 3", n, id)
		}
	}
	m := me(t, inst, token, w.Slug)
	if m.DotsLeft != 5-sum {
		t.Errorf("GET me says %d dots left, the database holds %d of 5", m.DotsLeft, sum)
	}
	for id, n := range mine {
		if m.Dots[strconv.FormatUint(id, 10)] != n {
			t.Errorf("GET me shows %d dots on idea %d, the database %d", m.Dots[strconv.FormatUint(id, 10)], id, n)
		}
	}
	var used int
	if err := inst.DB.Table("dot_budgets").Select("COALESCE(SUM(used), 0)").Where("user_id = ?", userID).Row().Scan(&used); err != nil {
		t.Fatal(err)
	}
	if used != sum {
		t.Errorf("the budget row says %d dots used, the dots rows %d", used, sum)
	}
	for _, idea := range ideas {
		if column, rows := dotSums(t, inst, idea.ID); column != rows {
			t.Errorf("idea %d: dots_count %d, but its rows sum to %d", idea.ID, column, rows)
		}
	}
	return sum
}

func TestDotVotingRules(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w, ideas := dotWorkshop(t, inst, mod, 3)
	a, b, c := ideas[0].ID, ideas[1].ID, ideas[2].ID
	guest, guestID := joinGuest(t, inst, w, "Gast")

	if m := me(t, inst, guest, w.Slug); m.DotsLeft != 5 || m.DotBudget != 5 {
		t.Fatalf("a new participant: %+v, want 5 of 5 dots left", m)
	}
	step := func(idea uint64, count, wantLeft int, wantTotal int64) {
		t.Helper()
		r := putDots(t, inst, guest, idea, count)
		want(t, r, 200, fmt.Sprintf("%d dots on idea %d", count, idea))
		var got dotsReplyJSON
		r.Decode(t, &got)
		if got.Count != count || got.DotsLeft != wantLeft || got.Dots != wantTotal {
			t.Fatalf("%d dots on idea %d: got %+v, want count %d, %d left, idea total %d", count, idea, got, count, wantLeft, wantTotal)
		}
	}
	step(a, 3, 2, 3)
	before, _ := dotsOf(t, inst, guestID, w.Slug)
	wantDotsRefused(t, putDots(t, inst, guest, b, 3), 2, "3 dots with 2 left")
	p := wantProblem(t, putDots(t, inst, guest, c, 4), 409, "4 dots on one idea")
	if n := numbersIn(p.Detail); !slices.Contains(n, 3) || !slices.Contains(n, 2) {
		t.Fatalf("over the maximum: detail %q should name the maximum 3 and the 2 dots left", p.Detail)
	}
	if after, _ := dotsOf(t, inst, guestID, w.Slug); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("refused requests changed the dots: %v, before %v", after, before)
	}
	for _, id := range []uint64{b, c} {
		if column, rows := dotSums(t, inst, id); column != 0 || rows != 0 {
			t.Fatalf("idea %d got dots from refused requests: dots_count %d, rows %d", id, column, rows)
		}
	}
	if m := me(t, inst, guest, w.Slug); m.DotsLeft != 2 {
		t.Fatalf("after refusals GET me says %d left, want 2", m.DotsLeft)
	}

	// Moving dots: take two back from A, spend them on B.
	step(a, 1, 4, 1)
	step(b, 3, 1, 3)
	wantDotsRefused(t, putDots(t, inst, guest, c, 2), 1, "2 dots with 1 left")
	step(c, 1, 0, 1)
	wantDotsRefused(t, putDots(t, inst, guest, a, 2), 0, "one more with none left")
	step(b, 0, 3, 0)
	step(b, 0, 3, 0) // taking back nothing again is harmless

	// Another person's dots add to the idea's total, not to this budget.
	other, _ := joinGuest(t, inst, w, "Andere")
	r := putDots(t, inst, other, a, 3)
	want(t, r, 200, "other guest")
	var got dotsReplyJSON
	r.Decode(t, &got)
	if got.DotsLeft != 2 || got.Dots != 4 {
		t.Fatalf("other guest: %+v, want 2 left and idea total 4", got)
	}
	if sum := wantConsistent(t, inst, guest, guestID, w, ideas); sum != 2 {
		t.Fatalf("the guest holds %d dots, want 2 (1 on A, 1 on C)", sum)
	}

	// Bad input and wrong mode.
	wantProblem(t, call(t, inst, "PUT", dotsPath(a), guest, map[string]any{"count": -1}), 422, "negative count")
	wantProblem(t, call(t, inst, "PUT", dotsPath(a), guest, map[string]any{}), 422, "no count")
	wantProblem(t, call(t, inst, "PUT", dotsPath(a), "", map[string]any{"count": 1}), 401, "visitor")
	wantProblem(t, call(t, inst, "PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", a), guest, nil), 409, "support vote in a dot workshop")
	wantProblem(t, call(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, mod, map[string]any{"dots_per_idea_max": 6}), 422, "maximum over budget")
	support := newWorkshop(t, inst, mod, "Unterstützen", "open")
	sguest, _ := joinGuest(t, inst, support, "Gast")
	sidea := newIdea(t, inst, sguest, support.Slug, "Nur Stimmen")
	wantProblem(t, putDots(t, inst, sguest, sidea.ID, 1), 409, "dots in a support workshop")
	wantConsistent(t, inst, guest, guestID, w, ideas)
}

// participantDevices creates a participant account signed in on n devices
// (n API tokens).
func participantDevices(t *testing.T, inst *app.Instance, n int) ([]string, uint64) {
	t.Helper()
	ctx := context.Background()
	u, err := inst.Svc.CreateUser(ctx, forms.Register{Email: unique("geraete") + "@example.org", Name: "Viele Geräte", Password: "ein-langes-passwort"}, auth.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, n)
	for i := range tokens {
		if tokens[i], err = inst.Svc.IssueAPIToken(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return tokens, u.ID
}

func TestDotBudgetUnderConcurrency(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w, ideas := dotWorkshop(t, inst, mod, 4)
	guest, guestID := joinGuest(t, inst, w, "Schnelle Finger")
	devices, personID := participantDevices(t, inst, 3)

	for _, c := range []struct {
		name   string
		tokens []string
		userID uint64
	}{
		{"one guest, 50 requests at once", []string{guest}, guestID},
		{"one person on three devices, 50 requests at once", devices, personID},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(c.tokens)), 4))
			type try struct {
				idea  uint64
				count int
			}
			plan := make([]try, 50)
			for i := range plan {
				// Counts 0 to 4; every fifth asks for 4, over the maximum.
				plan[i] = try{ideas[rng.IntN(len(ideas))].ID, rng.IntN(4)}
				if i%5 == 4 {
					plan[i].count = 4
				}
			}
			var ok, refused int
			results := make([]string, len(plan))
			errs := together(len(plan), func(i int) error {
				r, err := request(inst, "PUT", dotsPath(plan[i].idea), c.tokens[i%len(c.tokens)], map[string]any{"count": plan[i].count}, nil)
				if err != nil {
					return err
				}
				switch r.Status {
				case 200:
					var got dotsReplyJSON
					if err := json.Unmarshal(r.Body, &got); err != nil {
						return err
					}
					if got.Count != plan[i].count || got.DotsLeft < 0 || got.DotsLeft > 5 || plan[i].count > 3 {
						return fmt.Errorf("try %d (%+v): accepted with %+v", i, plan[i], got)
					}
					results[i] = "ok"
				case 409:
					var p problemDoc
					if err := json.Unmarshal(r.Body, &p); err != nil {
						return err
					}
					if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") || p.Detail == "" {
						return fmt.Errorf("try %d: refusal is no problem document: %s", i, r)
					}
					left := numbersIn(p.Detail)
					if len(left) == 0 || left[len(left)-1] < 0 || left[len(left)-1] > 5 {
						return fmt.Errorf("try %d: refusal %q does not state the dots left", i, p.Detail)
					}
					results[i] = "refused"
				default:
					return fmt.Errorf("try %d (%+v): %s", i, plan[i], r)
				}
				return nil
			})
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			for _, r := range results {
				switch r {
				case "ok":
					ok++
				case "refused":
					refused++
				}
			}
			if ok == 0 || refused == 0 {
				t.Errorf("%d accepted, %d refused: the plan should produce both", ok, refused)
			}
			sum := wantConsistent(t, inst, c.tokens[0], c.userID, w, ideas)
			t.Logf("%d accepted, %d refused; %d dots placed", ok, refused, sum)
		})
	}
}

// TestTwoHundredGuestsAtOnce: a full room votes in the same second, first
// with support votes, then with dots; the totals are exact.
func TestTwoHundredGuestsAtOnce(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Voller Saal", "open")
	guests := joinMany(t, inst, w, 200)
	idea := newIdea(t, inst, guests[0], w.Slug, "Alle zusammen")
	dotIdea := newIdea(t, inst, guests[1], w.Slug, "Alle mit Punkten")

	run := func(method, path string, body any) {
		t.Helper()
		errs := together(len(guests), func(i int) error {
			r, err := request(inst, method, path, guests[i], body, nil)
			if err == nil && r.Status != 200 {
				err = fmt.Errorf("guest %d: %s", i, r)
			}
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	}
	run("PUT", fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID), nil)
	if n := voteRows(t, inst, idea.ID); n != 200 {
		t.Errorf("%d vote rows, want 200", n)
	}
	if n := storedCount(t, inst, idea.ID); n != 200 {
		t.Errorf("votes_count %d, want 200", n)
	}
	if got := getIdea(t, inst, "", idea.ID); got.Votes != 200 {
		t.Errorf("GET idea shows %d votes, want 200", got.Votes)
	}

	want(t, call(t, inst, "PATCH", "/api/v1/workshops/"+w.Slug, mod, map[string]any{"voting_mode": "dots", "dot_budget": 5, "dots_per_idea_max": 3}), 200, "dots")
	run("PUT", dotsPath(dotIdea.ID), map[string]any{"count": 2})
	if column, rows := dotSums(t, inst, dotIdea.ID); column != 400 || rows != 400 {
		t.Errorf("after 200 guests placed 2 dots each: dots_count %d, rows sum %d, want 400", column, rows)
	}
}
