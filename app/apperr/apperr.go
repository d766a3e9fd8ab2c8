// Package apperr is the one error type of Werkstatt's domain. Services return
// an *Error with a Code and a translation key; the server turns it into an
// HTTP status, a problem+json document or a translated page in one place.
// Internal details (the wrapped Err) go to the log, never to the user.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is the kind of failure, independent of transport.
type Code string

const (
	Invalid      Code = "invalid"      // input is wrong; 422
	NotFound     Code = "not_found"    // 404
	Conflict     Code = "conflict"     // the state does not allow it (e.g. wrong phase); 409
	Forbidden    Code = "forbidden"    // known person, not allowed; 403
	Unauthorized Code = "unauthorized" // not logged in or bad credentials; 401
	TooLarge     Code = "too_large"    // 413
	RateLimited  Code = "rate_limited" // 429
	Unavailable  Code = "unavailable"  // a backing service is down; 503
	Internal     Code = "internal"     // a bug or an unexpected failure; 500
)

// FieldError names one invalid field and the translation key of its message.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

// Error is a domain error.
type Error struct {
	Code       Code
	Key        string // translation key of the message shown to people
	Args       []any  // arguments for the message
	Fields     []FieldError
	RetryAfter time.Duration // for RateLimited and Unavailable
	Err        error         // the cause, for the log only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Code, e.Key, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Code, e.Key)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Wrap returns an error with a code and key that keeps err as its cause.
func Wrap(err error, code Code, key string) *Error {
	return &Error{Code: code, Key: key, Err: err}
}

// Fields returns an Invalid error listing the given field errors.
func Fields(fields ...FieldError) *Error {
	return &Error{Code: Invalid, Key: "error.invalid", Fields: fields}
}

// As returns the *Error in err's chain, or an Internal error wrapping err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "error.internal", Err: err}
}

// CodeOf returns the code of err, Internal for foreign errors, "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Status maps a code to its HTTP status.
func (c Code) Status() int {
	switch c {
	case Invalid:
		return 422
	case NotFound:
		return 404
	case Conflict:
		return 409
	case Forbidden:
		return 403
	case Unauthorized:
		return 401
	case TooLarge:
		return 413
	case RateLimited:
		return 429
	case Unavailable:
		return 503
	default:
		return 500
	}
}
