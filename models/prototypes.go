package models

import "time"

// Prototype is a draft of a digital service shown in a workshop, with its
// screenshots (screens).
type Prototype struct {
	ID          uint64 `gorm:"primaryKey"`
	WorkshopID  uint64 `gorm:"not null;index:idx_prototypes_workshop"`
	Title       string `gorm:"size:140;not null"`
	Description string `gorm:"type:text;not null;default:''"`
	LinkURL     string `gorm:"size:500;not null;default:''"`
	Position    int    `gorm:"not null;default:0"`
	CreatedByID uint64 `gorm:"not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Screen is one screenshot of a prototype. Replacing a screen makes a new
// version; the old one keeps its annotations and stays reachable.
type Screen struct {
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
}

// Current reports whether s is the newest version of its screen.
func (s *Screen) Current() bool { return s.ReplacedByID == nil }

// Annotation is a comment pinned on a screen: a point (W = H = 0) or an
// area, in percent of the image, so it survives resizing and replacement.
type Annotation struct {
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

	Author  User              `gorm:"foreignKey:AuthorID"`
	Replies []AnnotationReply `gorm:"foreignKey:AnnotationID"`
}

// Pin reports whether the annotation is a point rather than an area.
func (a *Annotation) Pin() bool { return a.W == 0 && a.H == 0 }

// AnnotationReply answers an annotation.
type AnnotationReply struct {
	ID           uint64 `gorm:"primaryKey"`
	AnnotationID uint64 `gorm:"not null;index:idx_annotation_replies_annotation"`
	AuthorID     uint64 `gorm:"not null;index:idx_annotation_replies_author"`
	Body         string `gorm:"type:text;not null"`
	CreatedAt    time.Time

	Author User `gorm:"foreignKey:AuthorID"`
}

// AnnotationMeToo is one person's "me too"; unique per person.
type AnnotationMeToo struct {
	ID           uint64 `gorm:"primaryKey"`
	AnnotationID uint64 `gorm:"not null;uniqueIndex:idx_annotation_me_toos_user,priority:1"`
	UserID       uint64 `gorm:"not null;uniqueIndex:idx_annotation_me_toos_user,priority:2"`
	CreatedAt    time.Time
}
