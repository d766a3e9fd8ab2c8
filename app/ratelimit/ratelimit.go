// Package ratelimit counts events per key in a sliding window, in memory. It
// guards against abuse (password guessing, floods), not against a full room:
// callers choose generous limits per address and tight ones per account.
// It is a leaf: it imports nothing of ours.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows at most Limit events per key within Window.
type Limiter struct {
	Limit  int
	Window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	events map[string][]time.Time
	swept  time.Time
}

// New returns a limiter of limit events per window.
func New(limit int, window time.Duration) *Limiter {
	return &Limiter{Limit: limit, Window: window, now: time.Now, events: map[string][]time.Time{}}
}

// Check reports whether another event for key is allowed now, and if not,
// how long until it will be. It does not record anything.
func (l *Limiter) Check(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ev := l.prune(key, now)
	if len(ev) < l.Limit {
		return true, 0
	}
	return false, ev[0].Add(l.Window).Sub(now).Round(time.Second) + time.Second
}

// Add records an event for key.
func (l *Limiter) Add(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.events[key] = append(l.prune(key, now), now)
	if now.Sub(l.swept) > l.Window {
		l.sweep(now)
	}
}

// Allow checks and, when allowed, records in one step under one lock, so
// parallel callers cannot slip past the limit together.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ev := l.prune(key, now)
	if len(ev) >= l.Limit {
		return false, ev[0].Add(l.Window).Sub(now).Round(time.Second) + time.Second
	}
	l.events[key] = append(ev, now)
	return true, 0
}

// Reset forgets key, e.g. after a successful login.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.events, key)
	l.mu.Unlock()
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	ev := l.events[key]
	i := 0
	for i < len(ev) && now.Sub(ev[i]) >= l.Window {
		i++
	}
	ev = ev[i:]
	if len(ev) == 0 {
		delete(l.events, key)
		return nil
	}
	l.events[key] = ev
	return ev
}

// sweep drops keys whose events have all expired, so memory stays bounded.
func (l *Limiter) sweep(now time.Time) {
	for k := range l.events {
		l.prune(k, now)
	}
	l.swept = now
}
