package migrations

import (
	"time"

	"gorm.io/gorm"
)

// Frozen copies for prototypes, screens and annotations (issue 3), and the
// link from an idea back to the annotation it was promoted from.

type m0002Prototype struct {
	ID          uint64 `gorm:"primaryKey"`
	WorkshopID  uint64 `gorm:"not null;index:idx_prototypes_workshop"`
	Title       string `gorm:"size:140;not null"`
	Description string `gorm:"type:text;not null;default:''"`
	LinkURL     string `gorm:"size:500;not null;default:''"`
	Position    int    `gorm:"not null;default:0"`
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Workshop    m0001Workshop `gorm:"foreignKey:WorkshopID;constraint:OnDelete:CASCADE"`
}

func (m0002Prototype) TableName() string { return "prototypes" }

type m0002Screen struct {
	ID            uint64  `gorm:"primaryKey"`
	PrototypeID   uint64  `gorm:"not null;index:idx_screens_prototype"`
	Title         string  `gorm:"size:140;not null;default:''"`
	Alt           string  `gorm:"size:1000;not null;default:''"`
	Position      int     `gorm:"not null;default:0"`
	Version       int     `gorm:"not null;default:1"`
	ReplacesID    *uint64 `gorm:"index:idx_screens_replaces"`
	ReplacedByID  *uint64
	Width         int    `gorm:"not null"`
	Height        int    `gorm:"not null"`
	ContentType   string `gorm:"size:40;not null"`
	ImageKey      string `gorm:"size:200;not null;index:idx_screens_image_key"`
	DisplayKey    string `gorm:"size:200;not null;index:idx_screens_display_key"`
	DisplayWidth  int    `gorm:"not null"`
	DisplayHeight int    `gorm:"not null"`
	DisplayType   string `gorm:"size:40;not null"`
	ThumbKey      string `gorm:"size:200;not null;index:idx_screens_thumb_key"`
	ThumbWidth    int    `gorm:"not null"`
	ThumbHeight   int    `gorm:"not null"`
	ThumbType     string `gorm:"size:40;not null"`
	CreatedByID   uint64 `gorm:"not null"`
	CreatedAt     time.Time
	Prototype     m0002Prototype `gorm:"foreignKey:PrototypeID;constraint:OnDelete:CASCADE"`
}

func (m0002Screen) TableName() string { return "screens" }

type m0002Annotation struct {
	ID           uint64  `gorm:"primaryKey"`
	ScreenID     uint64  `gorm:"not null;uniqueIndex:idx_annotations_screen_number,priority:1"`
	Number       int     `gorm:"not null;uniqueIndex:idx_annotations_screen_number,priority:2"`
	AuthorID     uint64  `gorm:"not null;index:idx_annotations_author"`
	X            float64 `gorm:"not null"`
	Y            float64 `gorm:"not null"`
	W            float64 `gorm:"not null;default:0"`
	H            float64 `gorm:"not null;default:0"`
	Body         string  `gorm:"type:text;not null"`
	RepliesCount int64   `gorm:"not null;default:0"`
	MeTooCount   int64   `gorm:"not null;default:0"`
	Resolved     bool    `gorm:"not null;default:false"`
	IdeaID       *uint64 `gorm:"index:idx_annotations_idea"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Screen       m0002Screen `gorm:"foreignKey:ScreenID;constraint:OnDelete:CASCADE"`
	Author       m0001User   `gorm:"foreignKey:AuthorID;constraint:OnDelete:RESTRICT"`
}

func (m0002Annotation) TableName() string { return "annotations" }

type m0002AnnotationReply struct {
	ID           uint64 `gorm:"primaryKey"`
	AnnotationID uint64 `gorm:"not null;index:idx_annotation_replies_annotation"`
	AuthorID     uint64 `gorm:"not null;index:idx_annotation_replies_author"`
	Body         string `gorm:"type:text;not null"`
	CreatedAt    time.Time
	Annotation   m0002Annotation `gorm:"foreignKey:AnnotationID;constraint:OnDelete:CASCADE"`
	Author       m0001User       `gorm:"foreignKey:AuthorID;constraint:OnDelete:RESTRICT"`
}

func (m0002AnnotationReply) TableName() string { return "annotation_replies" }

type m0002AnnotationMeToo struct {
	ID           uint64 `gorm:"primaryKey"`
	AnnotationID uint64 `gorm:"not null;uniqueIndex:idx_annotation_me_toos_user,priority:1"`
	UserID       uint64 `gorm:"not null;uniqueIndex:idx_annotation_me_toos_user,priority:2"`
	CreatedAt    time.Time
	Annotation   m0002Annotation `gorm:"foreignKey:AnnotationID;constraint:OnDelete:CASCADE"`
	User         m0001User       `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

func (m0002AnnotationMeToo) TableName() string { return "annotation_me_toos" }

// m0002Idea adds only the new column; GORM's AddColumn reads it by name.
type m0002Idea struct {
	AnnotationID *uint64 `gorm:"index:idx_ideas_annotation"`
}

func (m0002Idea) TableName() string { return "ideas" }

func up0002Prototypes(tx *gorm.DB) error {
	for _, t := range []any{&m0002Prototype{}, &m0002Screen{}, &m0002Annotation{}, &m0002AnnotationReply{}, &m0002AnnotationMeToo{}} {
		if err := tx.Migrator().CreateTable(t); err != nil {
			return err
		}
	}
	if err := tx.Migrator().AddColumn(&m0002Idea{}, "AnnotationID"); err != nil {
		return err
	}
	return tx.Migrator().CreateIndex(&m0002Idea{}, "idx_ideas_annotation")
}
