package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// api is a small client of Werkstatt's JSON API.
type api struct {
	base   string
	client *http.Client
}

func newAPI(base string, conns int) *api {
	return &api{base: strings.TrimRight(base, "/"), client: &http.Client{
		Timeout: 30 * time.Second,
		// Idle connections are closed before the server's 30 s read timeout
		// would answer them with an error page.
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns,
			IdleConnTimeout: 20 * time.Second, DisableCompression: true},
	}}
}

// do sends a request and decodes a JSON answer into out (if not nil); any
// status but want is an error.
func (a *api) do(ctx context.Context, method, path, token string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		if len(data) > 300 {
			data = data[:300]
		}
		return &statusError{method: method, path: path, status: resp.StatusCode, body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

type statusError struct {
	method, path string
	status       int
	body         string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, e.body)
}

// joinCode returns the workshop's join code, read with a staff account.
func (a *api) joinCode(ctx context.Context, o options) (string, error) {
	if o.code != "" {
		return o.code, nil
	}
	token := o.token
	if token == "" {
		var t struct {
			Token string `json:"token"`
		}
		if err := a.do(ctx, "POST", "/api/v1/auth/token", "", map[string]string{"email": o.email, "password": o.password}, &t, 201); err != nil {
			return "", fmt.Errorf("sign in as %s: %w", o.email, err)
		}
		token = t.Token
	}
	var w struct {
		JoinCode string `json:"join_code"`
	}
	if err := a.do(ctx, "GET", "/api/v1/workshops/"+o.workshop, token, nil, &w, 200); err != nil {
		return "", err
	}
	if w.JoinCode == "" {
		return "", fmt.Errorf("the account may not read the join code of %s", o.workshop)
	}
	return w.JoinCode, nil
}

// workshopState is what the tool needs to know before voting.
type workshopState struct {
	Phase      string `json:"phase"`
	VotingMode string `json:"voting_mode"`
}

func (a *api) state(ctx context.Context, slug string) (workshopState, error) {
	var s workshopState
	err := a.do(ctx, "GET", "/api/v1/workshops/"+slug+"/me", "", nil, &s, 200)
	return s, err
}

type ideaRef struct {
	ID    uint64 `json:"id"`
	Votes int64  `json:"votes"`
}

func (a *api) ideas(ctx context.Context, slug string) ([]ideaRef, error) {
	var out struct {
		Items []ideaRef `json:"items"`
	}
	err := a.do(ctx, "GET", "/api/v1/workshops/"+slug+"/ideas?limit=200", "", nil, &out, 200)
	return out.Items, err
}

// joinGuests joins n guests with parallel requests and returns their tokens.
func (a *api) joinGuests(ctx context.Context, slug, code string, n, parallel int) ([]string, error) {
	tokens := make([]string, n)
	err := parallelDo(ctx, n, parallel, func(i int) error {
		var out struct {
			Token string `json:"token"`
		}
		body := map[string]string{"code": code, "display_name": fmt.Sprintf("Last %04d", i+1)}
		if err := a.do(ctx, "POST", "/api/v1/workshops/"+slug+"/join", "", body, &out, 201); err != nil {
			return err
		}
		tokens[i] = out.Token
		return nil
	})
	return tokens, err
}

// vote puts (on) or takes back a vote and returns the idea's count after.
func (a *api) vote(ctx context.Context, token string, idea uint64, on bool) (int64, error) {
	method := "PUT"
	if !on {
		method = "DELETE"
	}
	var out struct {
		Votes int64 `json:"votes"`
	}
	err := a.do(ctx, method, fmt.Sprintf("/api/v1/ideas/%d/vote", idea), token, nil, &out, 200)
	return out.Votes, err
}

// parallelDo runs fn(0..n-1) on at most parallel goroutines and returns
// the first error.
func parallelDo(ctx context.Context, n, parallel int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	next := make(chan int)
	for range min(parallel, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
						cancel()
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}
