package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies for live workshop mode (issue 4): stored events for
// Last-Event-ID resumption, dot voting with a per-person budget, the timer,
// and the presenter wall's settings.

type m0003LiveEvent struct {
	ID         int64     `gorm:"primaryKey"`
	WorkshopID uint64    `gorm:"not null;index:idx_live_events_workshop,priority:1"`
	Name       string    `gorm:"size:40;not null"`
	Data       string    `gorm:"type:text;not null"`
	CreatedAt  time.Time `gorm:"not null;index:idx_live_events_created"`
}

func (m0003LiveEvent) TableName() string { return "live_events" }

type m0003Workshop struct {
	VotingMode       string     `gorm:"size:10;not null;default:support"`
	DotBudget        int        `gorm:"not null;default:5"`
	DotsPerIdeaMax   int        `gorm:"not null;default:3"`
	TimerState       string     `gorm:"size:10;not null;default:stopped"`
	TimerEndsAt      *time.Time // while running
	TimerRemainingMS int64      `gorm:"not null;default:0"` // while paused
	TimerDurationMS  int64      `gorm:"not null;default:0"`
	SpotlightIdeaID  *uint64
	WallView         string `gorm:"size:10;not null;default:cards"`
	HideCounts       bool   `gorm:"not null;default:false"`
}

func (m0003Workshop) TableName() string { return "workshops" }

type m0003Idea struct {
	DotsCount    int64 `gorm:"not null;default:0"`
	HiddenOnWall bool  `gorm:"not null;default:false"`
}

func (m0003Idea) TableName() string { return "ideas" }

type m0003Dot struct {
	ID         uint64 `gorm:"primaryKey"`
	WorkshopID uint64 `gorm:"not null;index:idx_dots_workshop_user,priority:1"`
	IdeaID     uint64 `gorm:"not null;uniqueIndex:idx_dots_idea_user,priority:1"`
	UserID     uint64 `gorm:"not null;uniqueIndex:idx_dots_idea_user,priority:2;index:idx_dots_workshop_user,priority:2"`
	Count      int    `gorm:"not null;check:chk_dots_count,count >= 0"`
	UpdatedAt  time.Time
	Idea       m0001Idea `gorm:"foreignKey:IdeaID;constraint:OnDelete:CASCADE"`
	User       m0001User `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0003Dot) TableName() string { return "dots" }

// m0003DotBudget is one person's spent dots in a workshop; the update that
// spends them carries the budget in its WHERE clause, so it can never be
// exceeded, whatever the timing.
type m0003DotBudget struct {
	ID         uint64        `gorm:"primaryKey"`
	WorkshopID uint64        `gorm:"not null;uniqueIndex:idx_dot_budgets_workshop_user,priority:1"`
	UserID     uint64        `gorm:"not null;uniqueIndex:idx_dot_budgets_workshop_user,priority:2"`
	Used       int           `gorm:"not null;default:0;check:chk_dot_budgets_used,used >= 0"`
	Workshop   m0001Workshop `gorm:"foreignKey:WorkshopID;constraint:OnDelete:CASCADE"`
	User       m0001User     `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0003DotBudget) TableName() string { return "dot_budgets" }

func up0003Live(tx *gorm.DB) error {
	for _, t := range []any{&m0003LiveEvent{}, &m0003Dot{}, &m0003DotBudget{}} {
		if err := tx.Migrator().CreateTable(t); err != nil {
			return err
		}
	}
	for _, col := range []string{"VotingMode", "DotBudget", "DotsPerIdeaMax", "TimerState", "TimerEndsAt",
		"TimerRemainingMS", "TimerDurationMS", "SpotlightIdeaID", "WallView", "HideCounts"} {
		if err := tx.Migrator().AddColumn(&m0003Workshop{}, col); err != nil {
			return err
		}
	}
	for _, col := range []string{"DotsCount", "HiddenOnWall"} {
		if err := tx.Migrator().AddColumn(&m0003Idea{}, col); err != nil {
			return err
		}
	}
	return nil
}
