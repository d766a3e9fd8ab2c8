package app_test

// Vote counts must be exact under concurrency, on SQLite and PostgreSQL:
// many guests voting at once, one guest voting many times at once, and a
// storm of votes and withdrawals.

import (
	"fmt"
	"sync"
	"testing"

	"werkstatt/app"
	"werkstatt/app/auth"
)

// voteRows counts the vote rows of an idea in the database.
func voteRows(t *testing.T, inst *app.Instance, ideaID uint64) int64 {
	t.Helper()
	var n int64
	if err := inst.DB.Table("votes").Where("idea_id = ?", ideaID).Count(&n).Error; err != nil {
		t.Fatalf("count votes: %v", err)
	}
	return n
}

// storedCount is the idea's votes_count column.
func storedCount(t *testing.T, inst *app.Instance, ideaID uint64) int64 {
	t.Helper()
	var n int64
	if err := inst.DB.Table("ideas").Select("votes_count").Where("id = ?", ideaID).Row().Scan(&n); err != nil {
		t.Fatalf("read votes_count: %v", err)
	}
	return n
}

// joinMany joins n guests through the API.
func joinMany(t *testing.T, inst *app.Instance, w workshopJSON, n int) []string {
	t.Helper()
	tokens := make([]string, n)
	for i := range tokens {
		tokens[i], _ = joinGuest(t, inst, w, fmt.Sprintf("Gast %03d", i))
	}
	return tokens
}

// together runs n functions that all start when the gate opens, and
// collects the statuses and failures they report.
func together(n int, fn func(i int) error) []error {
	gate := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = fn(i)
		}()
	}
	close(gate)
	wg.Wait()
	return errs
}

// send is call without testing.T, for goroutines.
func send(inst *app.Instance, method, path, token string) (int, string, error) {
	r, err := tryCall(inst, method, path, token)
	if err != nil {
		return 0, "", err
	}
	return r.Status, string(r.Body), nil
}

func TestConcurrentVotes(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Ansturm", "open")
	guests := joinMany(t, inst, w, 100)
	idea := newIdea(t, inst, guests[0], w.Slug, "Alle wollen das")
	path := fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID)

	t.Run("100 guests at once", func(t *testing.T) {
		errs := together(len(guests), func(i int) error {
			status, body, err := send(inst, "PUT", path, guests[i])
			if err != nil {
				return err
			}
			if status != 200 {
				return fmt.Errorf("guest %d: %d %s", i, status, body)
			}
			return nil
		})
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if got := getIdea(t, inst, "", idea.ID); got.Votes != 100 {
			t.Errorf("GET idea shows %d votes, want 100", got.Votes)
		}
		if n := voteRows(t, inst, idea.ID); n != 100 {
			t.Errorf("%d vote rows, want 100", n)
		}
	})

	t.Run("one guest 20 times at once", func(t *testing.T) {
		other := newIdea(t, inst, guests[1], w.Slug, "Nur einmal zählen")
		p := fmt.Sprintf("/api/v1/ideas/%d/vote", other.ID)
		errs := together(20, func(i int) error {
			status, body, err := send(inst, "PUT", p, guests[2])
			if err != nil {
				return err
			}
			if status != 200 {
				return fmt.Errorf("try %d: %d %s", i, status, body)
			}
			return nil
		})
		for _, err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		got := getIdea(t, inst, guests[2], other.ID)
		if got.Votes != 1 || !got.Voted {
			t.Errorf("after 20 simultaneous votes of one guest: votes %d voted %v, want 1 true", got.Votes, got.Voted)
		}
		if n := voteRows(t, inst, other.ID); n != 1 {
			t.Errorf("%d vote rows, want 1", n)
		}
	})
}

func TestConcurrentVoteStorm(t *testing.T) {
	inst := start(t)
	mod, _ := staffToken(t, inst, auth.RoleModerator)
	w := newWorkshop(t, inst, mod, "Sturm", "open")
	guests := joinMany(t, inst, w, 50)
	idea := newIdea(t, inst, guests[0], w.Slug, "Hin und her")
	path := fmt.Sprintf("/api/v1/ideas/%d/vote", idea.ID)

	// Each guest runs its own fixed sequence of votes and withdrawals; the
	// sequences differ in length and end, so the final state is known: guest
	// i supports the idea exactly when its last step is a vote.
	var expected int64
	plans := make([][]string, len(guests))
	for i := range guests {
		n := 3 + i%5
		for s := 0; s < n; s++ {
			m := "PUT"
			if (s+i)%2 == 1 {
				m = "DELETE"
			}
			plans[i] = append(plans[i], m)
		}
		if plans[i][len(plans[i])-1] == "PUT" {
			expected++
		}
	}
	if expected == 0 || expected == int64(len(guests)) {
		t.Fatalf("the plan should leave some guests voting and some not, got %d", expected)
	}
	errs := together(len(guests), func(i int) error {
		for s, m := range plans[i] {
			status, body, err := send(inst, m, path, guests[i])
			if err != nil {
				return err
			}
			if status != 200 {
				return fmt.Errorf("guest %d step %d %s: %d %s", i, s, m, status, body)
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	rows, stored := voteRows(t, inst, idea.ID), storedCount(t, inst, idea.ID)
	if rows != stored {
		t.Errorf("votes_count %d differs from %d vote rows", stored, rows)
	}
	if rows != expected {
		t.Errorf("%d vote rows, want %d (guests whose last step was a vote)", rows, expected)
	}
	if got := getIdea(t, inst, "", idea.ID); got.Votes != expected {
		t.Errorf("GET idea shows %d votes, want %d", got.Votes, expected)
	}
}
