package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// plan is the ideas the run votes on, each moving one way, with the
// voters that may still move it.
type plan struct {
	ideas  []ideaRef
	up     []bool  // true: votes are added; false: taken back
	queue  [][]int // per idea, voters not used on it yet
	tokens []string
}

// op is one vote request and what it left.
type op struct {
	idea  int
	votes int64         // the idea's count after it
	at    time.Duration // when the response arrived, since the epoch
	ok    bool
}

func run(ctx context.Context, o options) (*report, error) {
	a := newAPI(o.url, o.maxInFlight+64)
	st, err := a.state(ctx, o.workshop)
	if err != nil {
		return nil, fmt.Errorf("read workshop %s: %w", o.workshop, err)
	}
	if st.VotingMode != "support" || (st.Phase != "open" && st.Phase != "voting") {
		return nil, fmt.Errorf("workshop %s is %s with %s voting; it must be open or voting, with support votes", o.workshop, st.Phase, st.VotingMode)
	}
	ideas, err := a.ideas(ctx, o.workshop)
	if err != nil {
		return nil, err
	}
	if len(ideas) == 0 {
		return nil, fmt.Errorf("workshop %s has no ideas to vote on", o.workshop)
	}
	code, err := a.joinCode(ctx, o)
	if err != nil {
		return nil, err
	}

	r := report{Date: time.Now().UTC().Format(time.RFC3339), URL: o.url, Workshop: o.workshop, Subscribers: o.subscribers,
		Rate: o.rate, Duration: o.duration.String(), Ideas: len(ideas)}
	p := plan{ideas: ideas, up: make([]bool, len(ideas)), queue: make([][]int, len(ideas))}
	downIdeas := 0
	for i := range ideas {
		p.up[i] = o.onlyPut || i%2 == 0
		if !p.up[i] {
			downIdeas++
		}
	}
	total := int(math.Ceil(o.rate * o.duration.Seconds()))
	voters := o.voters
	if voters == 0 {
		// Every idea gets about total/len(ideas) votes; leave room for chance.
		voters = min(maxVoters, int(math.Ceil(1.3*float64(total)/float64(len(ideas))))+20)
	}
	r.Voters = voters
	t0 := time.Now()
	if p.tokens, err = a.joinGuests(ctx, o.workshop, code, voters, 32); err != nil {
		return nil, fmt.Errorf("join voters: %w", err)
	}
	// The ideas that lose votes during the run get them from the voters now.
	var pre []struct{ voter, idea int }
	for i := range ideas {
		for v := range voters {
			p.queue[i] = append(p.queue[i], v)
			if !p.up[i] {
				pre = append(pre, struct{ voter, idea int }{v, i})
			}
		}
		rand.Shuffle(len(p.queue[i]), func(x, y int) { p.queue[i][x], p.queue[i][y] = p.queue[i][y], p.queue[i][x] })
	}
	if err := parallelDo(ctx, len(pre), 32, func(i int) error {
		_, err := a.vote(ctx, p.tokens[pre[i].voter], ideas[pre[i].idea].ID, true)
		return err
	}); err != nil {
		return nil, fmt.Errorf("place the votes to take back: %w", err)
	}
	r.SetupSeconds = time.Since(t0).Seconds()
	r.PreVotes = len(pre)
	time.Sleep(time.Second) // let the setup's coalesced events go out

	// Subscribers.
	r.OpenFilesLimit = raiseOpenFiles(uint64(o.subscribers + o.maxInFlight + 1024))
	epoch := time.Now()
	index := map[uint64]int{}
	for i, idea := range ideas {
		index[idea.ID] = i
	}
	sseClients := make([]*http.Client, 16)
	for i := range sseClients {
		sseClients[i] = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true,
			IdleConnTimeout: 20 * time.Second, ReadBufferSize: 16 << 10, WriteBufferSize: 4 << 10}}
	}
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	subs := make([]*subscriber, o.subscribers)
	var subsDone sync.WaitGroup
	t1 := time.Now()
	streamURL := a.base + "/api/v1/workshops/" + o.workshop + "/events"
	for i := range subs {
		subs[i] = newSubscriber(streamURL, sseClients[i%len(sseClients)], epoch, index)
		subsDone.Add(1)
		go func(s *subscriber) { defer subsDone.Done(); s.run(subCtx) }(subs[i])
		if i%100 == 99 { // open in steps, as a room would, not all in one instant
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitUntil := time.After(2 * time.Minute)
	for _, s := range subs {
		select {
		case <-s.connected:
		case <-waitUntil:
			return nil, fmt.Errorf("not all %d streams opened within 2 minutes", len(subs))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r.ConnectSeconds = time.Since(t1).Seconds()
	time.Sleep(time.Second)

	// Voting at a steady rate, open loop: a slow answer does not slow the
	// schedule; beyond max-in-flight a vote is skipped and counted.
	ops := make([]op, total)
	var sent, skipped, failed, inFlight atomic.Int64
	var errMu sync.Mutex
	errSample := map[string]int{}
	var votesWG sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / o.rate)
	reqLat := newHist()
	var reqMu sync.Mutex
	n := 0
	for ; n < total && ctx.Err() == nil; n++ {
		if d := time.Until(start.Add(time.Duration(n) * interval)); d > 0 {
			time.Sleep(d)
		}
		idea, voter := p.pick()
		if idea < 0 {
			break // every voter has voted on every idea
		}
		if inFlight.Load() >= int64(o.maxInFlight) {
			skipped.Add(1)
			continue
		}
		inFlight.Add(1)
		sent.Add(1)
		votesWG.Add(1)
		go func(n, idea, voter int) {
			defer votesWG.Done()
			defer inFlight.Add(-1)
			t := time.Now()
			v, err := a.vote(ctx, p.tokens[voter], ideas[idea].ID, p.up[idea])
			if err != nil {
				failed.Add(1)
				errMu.Lock()
				errSample[trim(err.Error(), 120)]++
				errMu.Unlock()
				return
			}
			ops[n] = op{idea: idea, votes: v, at: time.Since(epoch), ok: true}
			reqMu.Lock()
			reqLat.add(time.Since(t))
			reqMu.Unlock()
		}(n, idea, voter)
	}
	votesWG.Wait()
	r.VotingSeconds = time.Since(start).Seconds()
	ops = ops[:n]

	// Wait until every stream shows each idea's final count, or settle ends.
	final := make([]int64, len(ideas))
	for i := range final {
		final[i] = -1
	}
	for _, op := range ops {
		if !op.ok {
			continue
		}
		if final[op.idea] < 0 || p.up[op.idea] && op.votes > final[op.idea] || !p.up[op.idea] && op.votes < final[op.idea] {
			final[op.idea] = op.votes
		}
	}
	settleEnd := time.Now().Add(o.settle)
	seen := make([]int64, len(ideas))
	for time.Now().Before(settleEnd) && ctx.Err() == nil {
		behind := 0
		for _, s := range subs {
			s.last(seen)
			for i, f := range final {
				if f >= 0 && seen[i] != f {
					behind++
					break
				}
			}
		}
		if behind == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopSubs()
	subsDone.Wait()

	r.Sent, r.Skipped, r.Failed = sent.Load(), skipped.Load(), failed.Load()
	r.Errors = errSample
	r.AchievedRate = float64(r.Sent) / r.VotingSeconds
	r.Request = reqLat.summary()
	r.measure(ops, subs, p.up)
	return &r, nil
}

// pick chooses a random idea that still has a voter who has not moved it,
// and that voter; -1 when none is left.
func (p *plan) pick() (idea, voter int) {
	var open []int
	for i, q := range p.queue {
		if len(q) > 0 {
			open = append(open, i)
		}
	}
	if len(open) == 0 {
		return -1, -1
	}
	idea = open[rand.IntN(len(open))]
	q := p.queue[idea]
	voter, p.queue[idea] = q[len(q)-1], q[:len(q)-1]
	return idea, voter
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
