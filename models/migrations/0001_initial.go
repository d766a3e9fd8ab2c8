package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies of the first schema. Relations exist only to make GORM emit
// the foreign keys; ON DELETE CASCADE where a row means nothing without its
// parent (votes, comments, sessions, tokens), RESTRICT for authorship.

type m0001User struct {
	ID              uint64  `gorm:"primaryKey"`
	Email           *string `gorm:"size:254;uniqueIndex:idx_users_email"`
	Name            string  `gorm:"size:80;not null"`
	Role            string  `gorm:"size:20;not null;default:participant"`
	PasswordHash    string  `gorm:"size:200;not null;default:''"`
	Guest           bool    `gorm:"not null;default:false"`
	GuestWorkshopID *uint64 `gorm:"index:idx_users_guest_workshop"`
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (m0001User) TableName() string { return "users" }

type m0001Session struct {
	ID         string    `gorm:"primaryKey;size:64"`
	UserID     uint64    `gorm:"not null;index:idx_sessions_user"`
	UserAgent  string    `gorm:"size:200;not null;default:''"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index:idx_sessions_expires"`
	User       m0001User `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0001Session) TableName() string { return "sessions" }

type m0001APIToken struct {
	Hash       string `gorm:"primaryKey;size:64"`
	UserID     uint64 `gorm:"not null;index:idx_api_tokens_user"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
	User       m0001User `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0001APIToken) TableName() string { return "api_tokens" }

type m0001Workshop struct {
	ID          uint64 `gorm:"primaryKey"`
	Slug        string `gorm:"size:80;not null;uniqueIndex:idx_workshops_slug"`
	Title       string `gorm:"size:140;not null"`
	Description string `gorm:"type:text;not null;default:''"`
	Phase       string `gorm:"size:10;not null;default:draft;index:idx_workshops_phase"`
	JoinCode    string `gorm:"size:12;not null;uniqueIndex:idx_workshops_join_code"`
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CreatedBy   m0001User `gorm:"foreignKey:CreatedByID;constraint:OnDelete:RESTRICT"`
}

func (m0001Workshop) TableName() string { return "workshops" }

type m0001PhaseChange struct {
	ID         uint64 `gorm:"primaryKey"`
	WorkshopID uint64 `gorm:"not null;index:idx_phase_changes_workshop"`
	ActorID    uint64 `gorm:"not null"`
	FromPhase  string `gorm:"size:10;not null"`
	ToPhase    string `gorm:"size:10;not null"`
	Reason     string `gorm:"type:text;not null;default:''"`
	CreatedAt  time.Time
	Workshop   m0001Workshop `gorm:"foreignKey:WorkshopID;constraint:OnDelete:CASCADE"`
}

func (m0001PhaseChange) TableName() string { return "phase_changes" }

type m0001Idea struct {
	ID            uint64    `gorm:"primaryKey"`
	WorkshopID    uint64    `gorm:"not null;index:idx_ideas_workshop_votes,priority:1;index:idx_ideas_workshop_created,priority:1"`
	AuthorID      uint64    `gorm:"not null;index:idx_ideas_author"`
	Title         string    `gorm:"size:140;not null"`
	Body          string    `gorm:"type:text;not null;default:''"`
	VotesCount    int64     `gorm:"not null;default:0;index:idx_ideas_workshop_votes,priority:2"`
	CommentsCount int64     `gorm:"not null;default:0"`
	CreatedAt     time.Time `gorm:"index:idx_ideas_workshop_created,priority:2"`
	UpdatedAt     time.Time
	Workshop      m0001Workshop `gorm:"foreignKey:WorkshopID;constraint:OnDelete:CASCADE"`
	Author        m0001User     `gorm:"foreignKey:AuthorID;constraint:OnDelete:RESTRICT"`
}

func (m0001Idea) TableName() string { return "ideas" }

type m0001Vote struct {
	ID        uint64 `gorm:"primaryKey"`
	IdeaID    uint64 `gorm:"not null;uniqueIndex:idx_votes_idea_user,priority:1"`
	UserID    uint64 `gorm:"not null;uniqueIndex:idx_votes_idea_user,priority:2;index:idx_votes_user"`
	CreatedAt time.Time
	Idea      m0001Idea `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
	User      m0001User `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0001Vote) TableName() string { return "votes" }

type m0001Comment struct {
	ID        uint64 `gorm:"primaryKey"`
	IdeaID    uint64 `gorm:"not null;index:idx_comments_idea"`
	AuthorID  uint64 `gorm:"not null;index:idx_comments_author"`
	Body      string `gorm:"type:text;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
	Idea      m0001Idea `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
	Author    m0001User `gorm:"foreignKey:AuthorID;constraint:OnDelete:RESTRICT"`
}

func (m0001Comment) TableName() string { return "comments" }

func up0001Initial(tx *gorm.DB) error {
	// Order matters: each table after those it references. users.guest_workshop_id
	// has no foreign key, as users must exist before workshops (their creator).
	tables := []any{&m0001User{}, &m0001Session{}, &m0001APIToken{}, &m0001Workshop{},
		&m0001PhaseChange{}, &m0001Idea{}, &m0001Vote{}, &m0001Comment{}}
	for _, t := range tables {
		if err := tx.Migrator().CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}
