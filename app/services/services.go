// Package services holds Werkstatt's use cases. Each exported method checks
// the policy, validates its form, owns its transaction and returns apperr
// codes. Side effects that leave the process happen only after commit.
// Services know nothing of HTTP; handlers, the CLI and seeds call them alike.
package services

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/ratelimit"
	"werkstatt/app/storage"
	"werkstatt/models"
)

// Services is the set of use cases with their dependencies.
type Services struct {
	DB            *gorm.DB
	Store         storage.Store
	Log           *slog.Logger
	SessionMaxAge time.Duration
	Now           func() time.Time
	Live          *Live // nil: no live events (one-off commands)

	// Failed logins: tight per account, generous per address (a town hall
	// shares one address).
	loginPerAccount *ratelimit.Limiter
	loginPerAddress *ratelimit.Limiter
	loginMu         sync.Mutex // makes check-and-count of an attempt one step
}

// New wires the services.
func New(db *gorm.DB, store storage.Store, log *slog.Logger, sessionMaxAge time.Duration) *Services {
	return &Services{
		DB: db, Store: store, Log: log, SessionMaxAge: sessionMaxAge,
		Now:             func() time.Time { return time.Now().UTC() },
		loginPerAccount: ratelimit.New(5, 15*time.Minute),
		loginPerAddress: ratelimit.New(100, 15*time.Minute),
	}
}

// Ready checks the database and the object store, for /readyz.
func (s *Services) Ready(ctx context.Context) error {
	if err := models.Ping(ctx, s.DB); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
	}
	if err := s.Store.Ping(ctx); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
	}
	return nil
}

// deny turns a policy verdict into an error; nil when allowed.
func deny(v auth.Verdict) error {
	switch v {
	case auth.Allowed:
		return nil
	case auth.NeedsLogin:
		return apperr.New(apperr.Unauthorized, "error.unauthorized")
	case auth.WrongPhase:
		return apperr.New(apperr.Conflict, "error.wrong_phase")
	case auth.NotVisible:
		return apperr.New(apperr.NotFound, "error.not_found")
	default:
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
}

// dbErr classifies a database error: "no row" becomes NotFound, a lost
// connection Unavailable, anything else Internal; apperr errors pass through.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if models.IsNotFound(err) {
		return apperr.Wrap(err, apperr.NotFound, "error.not_found")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.Wrap(err, apperr.Unavailable, "error.unavailable")
	}
	return apperr.Wrap(err, apperr.Internal, "error.internal")
}
