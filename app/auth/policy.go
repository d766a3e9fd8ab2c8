package auth

// Role is what a person may do across the whole platform.
type Role string

const (
	RoleParticipant Role = "participant"
	RoleModerator   Role = "moderator"
	RoleCommittee   Role = "committee"
	RoleAdmin       Role = "admin"
)

// Roles lists every role, least privileged first.
var Roles = []Role{RoleParticipant, RoleModerator, RoleCommittee, RoleAdmin}

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	for _, v := range Roles {
		if string(v) == r {
			return true
		}
	}
	return false
}

// Phase is where a workshop stands: draft → open → voting → closed.
type Phase string

const (
	PhaseDraft  Phase = "draft"
	PhaseOpen   Phase = "open"
	PhaseVoting Phase = "voting"
	PhaseClosed Phase = "closed"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseDraft, PhaseOpen, PhaseVoting, PhaseClosed}

// Actor is the person making a request. The zero Actor is an anonymous visitor.
type Actor struct {
	UserID          uint64
	Role            Role
	Guest           bool   // joined one workshop by code, no e-mail
	GuestWorkshopID uint64 // the only workshop a guest may act in
}

// LoggedIn reports whether the actor is a known person (account or guest).
func (a Actor) LoggedIn() bool { return a.UserID != 0 }

// Staff reports whether the actor runs workshops.
func (a Actor) Staff() bool { return a.Role == RoleModerator || a.Role == RoleAdmin }

// Workshop is what the policy needs to know about a workshop.
type Workshop struct {
	ID    uint64
	Phase Phase
}

// Verdict is the answer of the policy.
type Verdict int

const (
	Allowed    Verdict = iota
	NeedsLogin         // anonymous: log in or join first
	Forbidden          // known, but not allowed
	WrongPhase         // allowed in another phase of the workshop
	NotVisible         // the thing is hidden from this actor: answer as if it did not exist
)

// Ok reports whether the verdict allows the action.
func (v Verdict) Ok() bool { return v == Allowed }

// ViewWorkshop: drafts are visible to staff only; everything else is public.
func ViewWorkshop(a Actor, w Workshop) Verdict {
	if w.Phase == PhaseDraft && !a.Staff() {
		return NotVisible
	}
	return Allowed
}

// ManageWorkshops covers creating workshops and seeing all drafts.
func ManageWorkshops(a Actor) Verdict { return staffOnly(a) }

// EditWorkshop covers changing a workshop's texts, phase and join code.
func EditWorkshop(a Actor, w Workshop) Verdict {
	if v := ViewWorkshop(a, w); !v.Ok() {
		return v
	}
	return staffOnly(a)
}

// PostIdea: participants of the workshop, while it is open.
func PostIdea(a Actor, w Workshop) Verdict {
	return participate(a, w, PhaseOpen)
}

// Comment: while open or voting.
func Comment(a Actor, w Workshop) Verdict {
	return participate(a, w, PhaseOpen, PhaseVoting)
}

// Vote: while open or voting.
func Vote(a Actor, w Workshop) Verdict {
	return participate(a, w, PhaseOpen, PhaseVoting)
}

// ManageUsers covers listing accounts and changing roles.
func ManageUsers(a Actor) Verdict {
	switch {
	case !a.LoggedIn():
		return NeedsLogin
	case a.Role != RoleAdmin:
		return Forbidden
	}
	return Allowed
}

func staffOnly(a Actor) Verdict {
	switch {
	case !a.LoggedIn():
		return NeedsLogin
	case !a.Staff():
		return Forbidden
	}
	return Allowed
}

// participate is the shared rule for contributions: a known person who may
// see the workshop; a guest only in the workshop they joined; and only in
// the phases given.
func participate(a Actor, w Workshop, phases ...Phase) Verdict {
	if v := ViewWorkshop(a, w); !v.Ok() {
		return v
	}
	if !a.LoggedIn() {
		return NeedsLogin
	}
	if a.Guest && a.GuestWorkshopID != w.ID {
		return Forbidden
	}
	for _, p := range phases {
		if w.Phase == p {
			return Allowed
		}
	}
	return WrongPhase
}

// ManagePrototypes covers adding prototypes and uploading, replacing and
// ordering screens.
func ManagePrototypes(a Actor, w Workshop) Verdict { return EditWorkshop(a, w) }

// Annotate: placing a pin or area on a screen, while the workshop is open.
func Annotate(a Actor, w Workshop) Verdict { return participate(a, w, PhaseOpen) }

// ReplyAnnotation covers replies and "me too", while open or voting.
func ReplyAnnotation(a Actor, w Workshop) Verdict { return participate(a, w, PhaseOpen, PhaseVoting) }

// PromoteAnnotation: moderators may turn any annotation into an idea unless
// the workshop is closed; its author may while ideas are collected.
func PromoteAnnotation(a Actor, w Workshop, authorID uint64) Verdict {
	if v := ViewWorkshop(a, w); !v.Ok() {
		return v
	}
	switch {
	case !a.LoggedIn():
		return NeedsLogin
	case a.Staff():
		if w.Phase == PhaseClosed {
			return WrongPhase
		}
		return Allowed
	case a.UserID == authorID:
		return participate(a, w, PhaseOpen)
	}
	return Forbidden
}

// ResolveAnnotation: moderators mark annotations as dealt with.
func ResolveAnnotation(a Actor, w Workshop) Verdict { return EditWorkshop(a, w) }
