package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// UserByEmail finds an account by its (case-insensitive) e-mail address.
func UserByEmail(ctx context.Context, db *gorm.DB, email string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).Take(&u).Error
	return &u, err
}

// UserByID finds an account.
func UserByID(ctx context.Context, db *gorm.DB, id uint64) (*User, error) {
	var u User
	err := db.WithContext(ctx).Take(&u, id).Error
	return &u, err
}

// NormalizeEmail is how e-mail addresses are stored and compared.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// UserBySession finds the user of a live session.
func UserBySession(ctx context.Context, db *gorm.DB, sessionHash string, now time.Time) (*User, *Session, error) {
	var s Session
	if err := db.WithContext(ctx).Where("id = ? AND expires_at > ?", sessionHash, now).Take(&s).Error; err != nil {
		return nil, nil, err
	}
	u, err := UserByID(ctx, db, s.UserID)
	return u, &s, err
}

// UserByAPIToken finds the user of a bearer token.
func UserByAPIToken(ctx context.Context, db *gorm.DB, tokenHash string) (*User, error) {
	var u User
	err := db.WithContext(ctx).Joins("JOIN api_tokens ON api_tokens.user_id = users.id").
		Where("api_tokens.hash = ?", tokenHash).Take(&u).Error
	return &u, err
}

// WorkshopBySlug finds a workshop by its address.
func WorkshopBySlug(ctx context.Context, db *gorm.DB, slug string) (*Workshop, error) {
	var w Workshop
	err := db.WithContext(ctx).Where("slug = ?", slug).Take(&w).Error
	return &w, err
}

// WorkshopByID finds a workshop.
func WorkshopByID(ctx context.Context, db *gorm.DB, id uint64) (*Workshop, error) {
	var w Workshop
	err := db.WithContext(ctx).Take(&w, id).Error
	return &w, err
}

// WorkshopByJoinCode finds the workshop a code belongs to.
func WorkshopByJoinCode(ctx context.Context, db *gorm.DB, code string) (*Workshop, error) {
	var w Workshop
	err := db.WithContext(ctx).Where("join_code = ?", code).Take(&w).Error
	return &w, err
}

// WorkshopWithCounts is a workshop with the numbers shown in lists.
type WorkshopWithCounts struct {
	Workshop
	IdeasCount int64
}

// ListWorkshops returns workshops, newest first; drafts only when asked.
func ListWorkshops(ctx context.Context, db *gorm.DB, includeDrafts bool) ([]WorkshopWithCounts, error) {
	q := db.WithContext(ctx).Model(&Workshop{}).
		Select("workshops.*, (SELECT COUNT(*) FROM ideas WHERE ideas.workshop_id = workshops.id) AS ideas_count")
	if !includeDrafts {
		q = q.Where("phase <> ?", "draft")
	}
	var out []WorkshopWithCounts
	err := q.Order("workshops.created_at DESC, workshops.id DESC").Find(&out).Error
	return out, err
}

// IdeaSort is the order of an idea list.
type IdeaSort string

const (
	SortTop IdeaSort = "top"
	SortNew IdeaSort = "new"
)

// IdeasOfWorkshop lists a workshop's ideas with their authors.
func IdeasOfWorkshop(ctx context.Context, db *gorm.DB, workshopID uint64, sort IdeaSort, limit, offset int) ([]Idea, error) {
	q := db.WithContext(ctx).Preload("Author").Where("workshop_id = ?", workshopID)
	if sort == SortNew {
		q = q.Order("created_at DESC, id DESC")
	} else {
		q = q.Order("votes_count DESC, created_at DESC, id DESC")
	}
	var ideas []Idea
	err := q.Limit(limit).Offset(offset).Find(&ideas).Error
	return ideas, err
}

// CountIdeas counts a workshop's ideas.
func CountIdeas(ctx context.Context, db *gorm.DB, workshopID uint64) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&Idea{}).Where("workshop_id = ?", workshopID).Count(&n).Error
	return n, err
}

// IdeaByID finds an idea with its author.
func IdeaByID(ctx context.Context, db *gorm.DB, id uint64) (*Idea, error) {
	var i Idea
	err := db.WithContext(ctx).Preload("Author").Take(&i, id).Error
	return &i, err
}

// VotedBy returns which of ideaIDs userID has voted for.
func VotedBy(ctx context.Context, db *gorm.DB, userID uint64, ideaIDs []uint64) (map[uint64]bool, error) {
	out := map[uint64]bool{}
	if userID == 0 || len(ideaIDs) == 0 {
		return out, nil
	}
	var ids []uint64
	err := db.WithContext(ctx).Model(&Vote{}).Where("user_id = ? AND idea_id IN ?", userID, ideaIDs).
		Pluck("idea_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// CommentsOfIdea lists an idea's comments, oldest first.
func CommentsOfIdea(ctx context.Context, db *gorm.DB, ideaID uint64) ([]Comment, error) {
	var cs []Comment
	err := db.WithContext(ctx).Preload("Author").Where("idea_id = ?", ideaID).
		Order("created_at, id").Find(&cs).Error
	return cs, err
}

// ListUsers lists accounts (not guests) for the admin, by name.
func ListUsers(ctx context.Context, db *gorm.DB) ([]User, error) {
	var us []User
	err := db.WithContext(ctx).Where("guest = ?", false).Order("name, id").Find(&us).Error
	return us, err
}
