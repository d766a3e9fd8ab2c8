package services

import (
	"context"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/models"
)

// Register creates a participant account.
func (s *Services) Register(ctx context.Context, f forms.Register) (*models.User, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.createUser(ctx, f.Email, f.Name, f.Password, auth.RoleParticipant)
}

// CreateUser is the admin's way (CLI) to create an account with any role.
func (s *Services) CreateUser(ctx context.Context, f forms.Register, role auth.Role) (*models.User, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if !auth.ValidRole(string(role)) {
		return nil, apperr.Fields(apperr.FieldError{Field: "role", Key: "field.role"})
	}
	return s.createUser(ctx, f.Email, f.Name, f.Password, role)
}

func (s *Services) createUser(ctx context.Context, email, name, password string, role auth.Role) (*models.User, error) {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "error.internal")
	}
	e := models.NormalizeEmail(email)
	u := &models.User{Email: &e, Name: name, Role: role, PasswordHash: hash}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error { return tx.Create(u).Error })
	if models.IsDuplicate(err) {
		return nil, &apperr.Error{Code: apperr.Conflict, Key: "account.email_taken",
			Fields: []apperr.FieldError{{Field: "email", Key: "account.email_taken"}}, Err: err}
	}
	return u, dbErr(err)
}

// Login checks e-mail and password. Failed attempts are limited per account
// and per address; a success clears the account's count.
func (s *Services) Login(ctx context.Context, f forms.Login, addr string) (*models.User, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	accountKey := models.NormalizeEmail(f.Email)
	if err := s.reserveLogin(accountKey, addr); err != nil {
		return nil, err
	}
	u, err := models.UserByEmail(ctx, s.DB, f.Email)
	if err != nil && !models.IsNotFound(err) {
		return nil, dbErr(err)
	}
	if err != nil {
		auth.BurnPasswordCheck(f.Password)
	}
	if err != nil || !auth.CheckPassword(f.Password, u.PasswordHash) {
		s.loginPerAddress.Add(addr)
		return nil, apperr.New(apperr.Unauthorized, "login.failed")
	}
	s.loginPerAccount.Reset(accountKey)
	return u, nil
}

// reserveLogin counts an attempt against the account before the password
// is checked: counted only after the slow hash, parallel guesses would all
// pass the check first. A success clears the account's count again. The
// address counts failures only, so a full room can still log in.
func (s *Services) reserveLogin(account, addr string) error {
	s.loginMu.Lock()
	defer s.loginMu.Unlock()
	if ok, wait := s.loginPerAccount.Check(account); !ok {
		return &apperr.Error{Code: apperr.RateLimited, Key: "login.too_many", RetryAfter: wait}
	}
	if ok, wait := s.loginPerAddress.Check(addr); !ok {
		return &apperr.Error{Code: apperr.RateLimited, Key: "login.too_many", RetryAfter: wait}
	}
	s.loginPerAccount.Add(account)
	return nil
}

// StartSession creates a browser session and returns the cookie token.
func (s *Services) StartSession(ctx context.Context, u *models.User, userAgent string) (string, error) {
	token := auth.NewToken()
	now := s.Now()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	sess := models.Session{ID: auth.HashToken(token), UserID: u.ID, UserAgent: userAgent,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.SessionMaxAge)}
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error { return tx.Create(&sess).Error })
	return token, dbErr(err)
}

// EndSession logs a browser out.
func (s *Services) EndSession(ctx context.Context, token string) error {
	err := s.DB.WithContext(ctx).Where("id = ?", auth.HashToken(token)).Delete(&models.Session{}).Error
	return dbErr(err)
}

// SessionUser returns the user of a session cookie, or nil for none. The
// session's last use is refreshed at most once a minute.
func (s *Services) SessionUser(ctx context.Context, token string) (*models.User, error) {
	if token == "" {
		return nil, nil
	}
	now := s.Now()
	u, sess, err := models.UserBySession(ctx, s.DB, auth.HashToken(token), now)
	if models.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, dbErr(err)
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		s.DB.WithContext(ctx).Model(sess).Update("last_seen_at", now)
	}
	return u, nil
}

// IssueAPIToken creates a bearer token for u.
func (s *Services) IssueAPIToken(ctx context.Context, u *models.User) (string, error) {
	token := auth.NewToken()
	row := models.APIToken{Hash: auth.HashToken(token), UserID: u.ID, CreatedAt: s.Now()}
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error { return tx.Create(&row).Error })
	return token, dbErr(err)
}

// TokenUser returns the user of a bearer token; Unauthorized if unknown.
func (s *Services) TokenUser(ctx context.Context, token string) (*models.User, error) {
	u, err := models.UserByAPIToken(ctx, s.DB, auth.HashToken(token))
	if models.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthorized, "error.token_invalid")
	}
	return u, dbErr(err)
}

// JoinAsGuest makes a pseudonymous participant of the workshop the code
// belongs to. When slug is given, the code must be that workshop's. Someone
// who may take part already (an account, or a guest of this workshop) stays
// who they are, so a second scan of the QR code does not split their votes.
func (s *Services) JoinAsGuest(ctx context.Context, f forms.Join, slug string, current *models.User) (*models.User, *models.Workshop, error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	w, err := models.WorkshopByJoinCode(ctx, s.DB, f.Code)
	if models.IsNotFound(err) || (err == nil && slug != "" && w.Slug != slug) || (err == nil && w.Phase == auth.PhaseDraft) {
		return nil, nil, &apperr.Error{Code: apperr.Forbidden, Key: "join.code_unknown",
			Fields: []apperr.FieldError{{Field: "code", Key: "join.code_unknown"}}}
	}
	if err != nil {
		return nil, nil, dbErr(err)
	}
	if w.Phase == auth.PhaseClosed {
		return nil, nil, apperr.New(apperr.Conflict, "join.closed")
	}
	if current != nil && (!current.Guest || current.Actor().GuestWorkshopID == w.ID) {
		return current, w, nil
	}
	wid := w.ID
	u := &models.User{Name: f.DisplayName, Role: auth.RoleParticipant, Guest: true, GuestWorkshopID: &wid}
	err = models.WithTx(ctx, s.DB, func(tx *gorm.DB) error { return tx.Create(u).Error })
	return u, w, dbErr(err)
}

// ListUsers lists accounts for an admin.
func (s *Services) ListUsers(ctx context.Context, actor auth.Actor) ([]models.User, error) {
	if err := deny(auth.ManageUsers(actor)); err != nil {
		return nil, err
	}
	us, err := models.ListUsers(ctx, s.DB)
	return us, dbErr(err)
}

// ChangeRole sets a user's role. An admin cannot demote themselves, so the
// platform never loses its last admin by accident.
func (s *Services) ChangeRole(ctx context.Context, actor auth.Actor, userID uint64, f forms.Role) (*models.User, error) {
	if err := deny(auth.ManageUsers(actor)); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if userID == actor.UserID && f.Role != string(auth.RoleAdmin) {
		return nil, apperr.New(apperr.Conflict, "admin.self_demote")
	}
	var u models.User
	err := models.WithTx(ctx, s.DB, func(tx *gorm.DB) error {
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		if u.Guest {
			return apperr.New(apperr.Conflict, "admin.guest_role")
		}
		u.Role = auth.Role(f.Role)
		return tx.Model(&u).Update("role", u.Role).Error
	})
	return &u, dbErr(err)
}

// DisplayEmail is the e-mail of u, or "" for guests.
func DisplayEmail(u *models.User) string {
	if u == nil || u.Email == nil {
		return ""
	}
	return *u.Email
}

// SweepSessions deletes expired sessions; run periodically.
func (s *Services) SweepSessions(ctx context.Context) (int64, error) {
	r := s.DB.WithContext(ctx).Where("expires_at <= ?", s.Now()).Delete(&models.Session{})
	return r.RowsAffected, dbErr(r.Error)
}
