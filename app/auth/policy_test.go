package auth_test

import (
	"strings"
	"testing"

	"werkstatt/app/auth"
)

// The actors of the policy table, in column order.
var actors = []struct {
	name  string
	actor auth.Actor
}{
	{"visitor", auth.Actor{}},
	{"guest here", auth.Actor{UserID: 10, Role: auth.RoleParticipant, Guest: true, GuestWorkshopID: 1}},
	{"guest elsewhere", auth.Actor{UserID: 11, Role: auth.RoleParticipant, Guest: true, GuestWorkshopID: 2}},
	{"participant", auth.Actor{UserID: 12, Role: auth.RoleParticipant}},
	{"committee", auth.Actor{UserID: 13, Role: auth.RoleCommittee}},
	{"moderator", auth.Actor{UserID: 14, Role: auth.RoleModerator}},
	{"admin", auth.Actor{UserID: 15, Role: auth.RoleAdmin}},
}

// Verdict letters: A allowed, L needs login, F forbidden, P wrong phase,
// H not visible (answered as if it did not exist).
var letters = map[string]auth.Verdict{"A": auth.Allowed, "L": auth.NeedsLogin, "F": auth.Forbidden, "P": auth.WrongPhase, "H": auth.NotVisible}

func TestPolicyPerWorkshop(t *testing.T) {
	rules := map[string]func(auth.Actor, auth.Workshop) auth.Verdict{
		"view": auth.ViewWorkshop, "edit": auth.EditWorkshop, "idea": auth.PostIdea,
		"comment": auth.Comment, "vote": auth.Vote,
	}
	// One row per rule and phase; columns as in actors:
	// visitor, guest here, guest elsewhere, participant, committee, moderator, admin.
	table := []struct{ rule, phase, want string }{
		{"view", "draft", "H H H H H A A"},
		{"view", "open", "A A A A A A A"},
		{"view", "voting", "A A A A A A A"},
		{"view", "closed", "A A A A A A A"},

		{"edit", "draft", "H H H H H A A"},
		{"edit", "open", "L F F F F A A"},
		{"edit", "voting", "L F F F F A A"},
		{"edit", "closed", "L F F F F A A"},

		{"idea", "draft", "H H H H H P P"},
		{"idea", "open", "L A F A A A A"},
		{"idea", "voting", "L P F P P P P"},
		{"idea", "closed", "L P F P P P P"},

		{"comment", "draft", "H H H H H P P"},
		{"comment", "open", "L A F A A A A"},
		{"comment", "voting", "L A F A A A A"},
		{"comment", "closed", "L P F P P P P"},

		{"vote", "draft", "H H H H H P P"},
		{"vote", "open", "L A F A A A A"},
		{"vote", "voting", "L A F A A A A"},
		{"vote", "closed", "L P F P P P P"},
	}
	seen := map[string]bool{}
	for _, row := range table {
		seen[row.rule+"/"+row.phase] = true
		cols := strings.Fields(row.want)
		if len(cols) != len(actors) {
			t.Fatalf("%s/%s: %d columns for %d actors", row.rule, row.phase, len(cols), len(actors))
		}
		w := auth.Workshop{ID: 1, Phase: auth.Phase(row.phase)}
		for i, a := range actors {
			if got, want := rules[row.rule](a.actor, w), letters[cols[i]]; got != want {
				t.Errorf("%s in a %s workshop by %s: verdict %d, want %s", row.rule, row.phase, a.name, got, cols[i])
			}
		}
	}
	for rule := range rules {
		for _, p := range auth.Phases {
			if !seen[rule+"/"+string(p)] {
				t.Errorf("table lacks %s in phase %s", rule, p)
			}
		}
	}
}

func TestPolicyPlatform(t *testing.T) {
	for _, c := range []struct {
		rule string
		fn   func(auth.Actor) auth.Verdict
		want string
	}{
		{"manage workshops", auth.ManageWorkshops, "L F F F F A A"},
		{"manage users", auth.ManageUsers, "L F F F F F A"},
	} {
		cols := strings.Fields(c.want)
		for i, a := range actors {
			if got, want := c.fn(a.actor), letters[cols[i]]; got != want {
				t.Errorf("%s by %s: verdict %d, want %s", c.rule, a.name, got, cols[i])
			}
		}
	}
}

func TestActorAndVerdict(t *testing.T) {
	staff := map[string]bool{"moderator": true, "admin": true}
	for _, a := range actors {
		if a.actor.Staff() != staff[a.name] {
			t.Errorf("%s: Staff() = %v", a.name, a.actor.Staff())
		}
		if a.actor.LoggedIn() != (a.name != "visitor") {
			t.Errorf("%s: LoggedIn() = %v", a.name, a.actor.LoggedIn())
		}
	}
	for l, v := range letters {
		if v.Ok() != (l == "A") {
			t.Errorf("verdict %s: Ok() = %v", l, v.Ok())
		}
	}
	for _, r := range []string{"participant", "moderator", "committee", "admin"} {
		if !auth.ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
	for _, r := range []string{"", "Admin", "guest", "root"} {
		if auth.ValidRole(r) {
			t.Errorf("ValidRole(%q) = true", r)
		}
	}
}

func TestJoinCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c := auth.NewJoinCode()
		if len(c) != 6 || strings.ContainsAny(c, "01OIL") || auth.NormalizeJoinCode(strings.ToLower(c)) != c {
			t.Fatalf("join code %q: want 6 characters without 0, 1, O, I, L", c)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Errorf("only %d distinct codes in 200 draws", len(seen))
	}
	if got := auth.NormalizeJoinCode(" k7q-p2 m "); got != "K7QP2M" {
		t.Errorf("NormalizeJoinCode = %q", got)
	}
}

func TestPasswordsAndTokens(t *testing.T) {
	h, err := auth.HashPassword("richtig-richtig")
	if err != nil || !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q, %v: want an argon2id PHC string", h, err)
	}
	if !auth.CheckPassword("richtig-richtig", h) || auth.CheckPassword("falsch-falsch", h) || auth.CheckPassword("", "") {
		t.Error("CheckPassword accepts a wrong password or an empty hash")
	}
	a, b := auth.NewToken(), auth.NewToken()
	if a == b || len(a) < 40 || auth.HashToken(a) == a || auth.HashToken(a) != auth.HashToken(a) || auth.HashToken(a) == auth.HashToken(b) {
		t.Error("tokens must be random and long, their hashes stable and distinct")
	}
}
