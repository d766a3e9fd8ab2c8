package models

import (
	"time"

	"werkstatt/app/auth"
)

// User is an account: registered with e-mail and password, created by an
// admin, or a pseudonymous guest of one workshop (no e-mail, no password).
type User struct {
	ID              uint64    `gorm:"primaryKey"`
	Email           *string   `gorm:"size:254;uniqueIndex:idx_users_email"`
	Name            string    `gorm:"size:80;not null"`
	Role            auth.Role `gorm:"size:20;not null;default:participant"`
	PasswordHash    string    `gorm:"size:200;not null;default:''"`
	Guest           bool      `gorm:"not null;default:false"`
	GuestWorkshopID *uint64   `gorm:"index:idx_users_guest_workshop"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Actor describes the user to the policy.
func (u *User) Actor() auth.Actor {
	if u == nil {
		return auth.Actor{}
	}
	a := auth.Actor{UserID: u.ID, Role: u.Role, Guest: u.Guest}
	if u.GuestWorkshopID != nil {
		a.GuestWorkshopID = *u.GuestWorkshopID
	}
	return a
}

// Session is a logged-in browser. The cookie holds a random token; the row
// holds only its hash.
type Session struct {
	ID         string    `gorm:"primaryKey;size:64"`
	UserID     uint64    `gorm:"not null;index:idx_sessions_user"`
	UserAgent  string    `gorm:"size:200;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index:idx_sessions_expires"`
}

// APIToken is a bearer token of the JSON API, stored as a hash.
type APIToken struct {
	Hash       string `gorm:"primaryKey;size:64"`
	UserID     uint64 `gorm:"not null;index:idx_api_tokens_user"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// Workshop is one Digitale Werkstatt.
type Workshop struct {
	ID          uint64     `gorm:"primaryKey"`
	Slug        string     `gorm:"size:80;not null;uniqueIndex:idx_workshops_slug"`
	Title       string     `gorm:"size:140;not null"`
	Description string     `gorm:"type:text;not null;default:''"`
	Phase       auth.Phase `gorm:"size:10;not null;default:draft;index:idx_workshops_phase"`
	JoinCode    string     `gorm:"size:12;not null;uniqueIndex:idx_workshops_join_code"`
	CreatedByID uint64     `gorm:"not null"`

	// Live mode (migration 0003).
	VotingMode       string `gorm:"size:10;not null;default:support"` // "support" or "dots"
	DotBudget        int    `gorm:"not null;default:5"`
	DotsPerIdeaMax   int    `gorm:"not null;default:3"`
	TimerState       string `gorm:"size:10;not null;default:stopped"` // stopped, running, paused
	TimerEndsAt      *time.Time
	TimerRemainingMS int64 `gorm:"not null;default:0"`
	TimerDurationMS  int64 `gorm:"not null;default:0"`
	SpotlightIdeaID  *uint64
	WallView         string `gorm:"size:10;not null;default:cards"` // cards or ranking
	HideCounts       bool   `gorm:"not null;default:false"`
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Facts describes the workshop to the policy.
func (w *Workshop) Facts() auth.Workshop { return auth.Workshop{ID: w.ID, Phase: w.Phase} }

// PhaseChange records every move of a workshop between phases.
type PhaseChange struct {
	ID         uint64     `gorm:"primaryKey"`
	WorkshopID uint64     `gorm:"not null;index:idx_phase_changes_workshop"`
	ActorID    uint64     `gorm:"not null"`
	FromPhase  auth.Phase `gorm:"size:10;not null"`
	ToPhase    auth.Phase `gorm:"size:10;not null"`
	Reason     string     `gorm:"type:text;not null;default:''"`
	CreatedAt  time.Time
}

// Idea is a proposal in a workshop. VotesCount and CommentsCount are kept in
// step with their rows inside the transaction that changes them.
type Idea struct {
	ID            uint64    `gorm:"primaryKey"`
	WorkshopID    uint64    `gorm:"not null;index:idx_ideas_workshop_votes,priority:1;index:idx_ideas_workshop_created,priority:1"`
	AuthorID      uint64    `gorm:"not null;index:idx_ideas_author"`
	Title         string    `gorm:"size:140;not null"`
	Body          string    `gorm:"type:text;not null;default:''"`
	VotesCount    int64     `gorm:"not null;default:0;index:idx_ideas_workshop_votes,priority:2"`
	CommentsCount int64     `gorm:"not null;default:0"`
	AnnotationID  *uint64   `gorm:"index:idx_ideas_annotation"` // promoted from this annotation
	DotsCount     int64     `gorm:"not null;default:0"`
	HiddenOnWall  bool      `gorm:"not null;default:false"`
	CreatedAt     time.Time `gorm:"index:idx_ideas_workshop_created,priority:2"`
	UpdatedAt     time.Time

	Author User `gorm:"foreignKey:AuthorID"`
}

// Vote is one person's support for one idea; the unique index makes a second
// vote of the same person impossible, whatever the timing.
type Vote struct {
	ID        uint64 `gorm:"primaryKey"`
	IdeaID    uint64 `gorm:"not null;uniqueIndex:idx_votes_idea_user,priority:1"`
	UserID    uint64 `gorm:"not null;uniqueIndex:idx_votes_idea_user,priority:2;index:idx_votes_user"`
	CreatedAt time.Time
}

// Comment is a reply to an idea.
type Comment struct {
	ID        uint64 `gorm:"primaryKey"`
	IdeaID    uint64 `gorm:"not null;index:idx_comments_idea"`
	AuthorID  uint64 `gorm:"not null;index:idx_comments_author"`
	Body      string `gorm:"type:text;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time

	Author User `gorm:"foreignKey:AuthorID"`
}

// LiveEvent is a stored workshop event, for resuming event streams.
type LiveEvent struct {
	ID         int64     `gorm:"primaryKey"`
	WorkshopID uint64    `gorm:"not null"`
	Name       string    `gorm:"size:40;not null"`
	Data       string    `gorm:"type:text;not null"`
	CreatedAt  time.Time `gorm:"not null"`
}

// Dot is one person's dots on one idea (dot voting).
type Dot struct {
	ID         uint64 `gorm:"primaryKey"`
	WorkshopID uint64 `gorm:"not null"`
	IdeaID     uint64 `gorm:"not null"`
	UserID     uint64 `gorm:"not null"`
	Count      int    `gorm:"not null"`
	UpdatedAt  time.Time
}

// DotBudget is one person's spent dots in a workshop.
type DotBudget struct {
	ID         uint64 `gorm:"primaryKey"`
	WorkshopID uint64 `gorm:"not null"`
	UserID     uint64 `gorm:"not null"`
	Used       int    `gorm:"not null"`
}
