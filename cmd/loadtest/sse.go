package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// obs is one vote.changed event as a subscriber saw it.
type obs struct {
	votes int64
	at    time.Duration // since the run's epoch
}

// subscriber follows the workshop's event stream like a phone would, and
// reconnects with Last-Event-ID when the server ends the stream.
type subscriber struct {
	url    string
	client *http.Client
	epoch  time.Time
	index  map[uint64]int // idea id → position; read-only

	mu     sync.Mutex
	hist   [][]obs // per idea, in arrival order
	lastID string

	events     atomic.Int64 // all events
	votes      atomic.Int64 // vote.changed events
	ends       atomic.Int64 // streams the server ended while the tool was reading
	connectErr atomic.Int64 // failed (re)connections
	reorders   atomic.Int64 // events whose id was not above the previous one
	connected  chan struct{}
	once       sync.Once
}

func newSubscriber(url string, client *http.Client, epoch time.Time, index map[uint64]int) *subscriber {
	return &subscriber{url: url, client: client, epoch: epoch, index: index,
		hist: make([][]obs, len(index)), connected: make(chan struct{})}
}

// run reads until ctx ends.
func (s *subscriber) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.connectErr.Add(1)
		} else {
			s.ends.Add(1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stream reads one connection; a nil error means the server ended it.
func (s *subscriber) stream(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, "GET", s.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	s.mu.Lock()
	if s.lastID != "" {
		req.Header.Set("Last-Event-ID", s.lastID)
	}
	s.mu.Unlock()
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return &statusError{method: "GET", path: s.url, status: resp.StatusCode}
	}
	br := bufio.NewReaderSize(resp.Body, 8<<10)
	var (
		id, name []byte
		data     []byte
		lastNum  int64
	)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return nil // the server ended the stream
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if data != nil {
				s.dispatch(name, data, id, &lastNum)
			}
			name, data = name[:0], nil
		case line[0] == ':':
			s.once.Do(func() { close(s.connected) })
		case bytes.HasPrefix(line, []byte("id:")):
			id = append(id[:0], bytes.TrimSpace(line[3:])...)
		case bytes.HasPrefix(line, []byte("event:")):
			name = append(name[:0], bytes.TrimSpace(line[6:])...)
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data[:0], bytes.TrimSpace(line[5:])...)
		}
	}
}

func (s *subscriber) dispatch(name, data, id []byte, lastNum *int64) {
	now := time.Since(s.epoch)
	s.events.Add(1)
	n, _ := strconv.ParseInt(string(id), 10, 64)
	if n <= *lastNum {
		s.reorders.Add(1)
	}
	*lastNum = n
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID = string(id)
	if string(name) != "vote.changed" {
		return
	}
	s.votes.Add(1)
	ideaID, ok1 := intAfter(data, `"idea_id":`)
	votes, ok2 := intAfter(data, `"votes":`)
	if !ok1 || !ok2 {
		return
	}
	if i, ok := s.index[uint64(ideaID)]; ok {
		s.hist[i] = append(s.hist[i], obs{votes: votes, at: now})
	}
}

// last returns the count of the latest event seen for each idea (-1: none).
func (s *subscriber) last(out []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, h := range s.hist {
		out[i] = -1
		if len(h) > 0 {
			out[i] = h[len(h)-1].votes
		}
	}
}

// intAfter reads the integer that follows key in a small JSON object, which
// is all a vote.changed event holds; it spares a JSON decoder per event.
func intAfter(b []byte, key string) (int64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = bytes.TrimLeft(b[i+len(key):], " ")
	j := 0
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || j == 0 && b[j] == '-') {
		j++
	}
	n, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return n, err == nil
}
