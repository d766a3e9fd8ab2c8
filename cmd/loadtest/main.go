// Command loadtest measures how fast a running Werkstatt server carries a
// vote to the people following a workshop live. It is a load script, not a
// test: it joins voter guests through the JSON API, opens many Server-Sent
// Event streams, votes at a steady rate on the workshop's ideas, and reports
// the time from each vote's response to the first vote.changed event, on
// every stream, whose count reflects that vote.
//
//	go run ./cmd/loadtest -url http://127.0.0.1:3000 -workshop buergerservice-app \
//	    -email moderation@werkstatt.example -subscribers 2000 -rate 200 -duration 30s
//
// The join code comes from -code, or is read with a staff account given by
// -email and the password in LOADTEST_PASSWORD (or -password). The tool
// only talks to loopback addresses and is bounded in size and time. It
// leaves its guests and their votes behind: run it against a scratch
// database. See docs/performance-live.md.
//
// How a vote is matched to its event: events are coalesced per idea, so an
// event carries the idea's count at the moment it was read. Half of the
// ideas only receive votes (PUT) and the other half only lose the votes
// the tool placed on them during setup (DELETE), so each idea's count only
// moves one way during the run. A vote that left an idea at count V is
// then reflected exactly by the first event for that idea with a count at
// or beyond V. The tool must be the only one voting on the workshop.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	url         string
	workshop    string
	code        string
	email       string
	password    string
	subscribers int
	rate        float64
	duration    time.Duration
	voters      int
	settle      time.Duration
	maxInFlight int
	token       string
	onlyPut     bool
	jsonOut     string
}

// Bounds keep a typo from turning the tool into something else.
const (
	maxSubscribers = 10000
	maxRate        = 2000
	maxDuration    = 10 * time.Minute
	maxVoters      = 10000
)

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:3000", "base URL of the server (loopback only)")
	flag.StringVar(&o.workshop, "workshop", "buergerservice-app", "slug of an open or voting workshop in support mode")
	flag.StringVar(&o.code, "code", "", "the workshop's join code (else read with -email)")
	flag.StringVar(&o.email, "email", "", "staff account that may read the join code")
	flag.StringVar(&o.password, "password", "", "its password (default: $LOADTEST_PASSWORD)")
	flag.StringVar(&o.token, "token", "", "staff API token instead of -email (default: $LOADTEST_TOKEN)")
	flag.IntVar(&o.subscribers, "subscribers", 100, "SSE streams to open")
	flag.Float64Var(&o.rate, "rate", 50, "votes per second")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to vote")
	flag.IntVar(&o.voters, "voters", 0, "voter guests to join (0: as many as the run needs)")
	flag.DurationVar(&o.settle, "settle", 15*time.Second, "how long to wait for the last events after voting")
	flag.IntVar(&o.maxInFlight, "max-in-flight", 256, "vote requests in flight at most; beyond, a vote is skipped and counted")
	flag.BoolVar(&o.onlyPut, "only-put", false, "only add votes (no DELETE, no votes placed during setup)")
	flag.StringVar(&o.jsonOut, "json", "", "also write the figures as JSON to this file")
	flag.Parse()
	if o.password == "" {
		o.password = os.Getenv("LOADTEST_PASSWORD")
	}
	if o.token == "" {
		o.token = os.Getenv("LOADTEST_TOKEN")
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	// A hard bound on the whole run: setup, voting, settling.
	ctx, cancel := context.WithTimeout(context.Background(), o.duration+o.settle+10*time.Minute)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	r.print(os.Stdout)
	if o.jsonOut != "" {
		if err := r.writeJSON(o.jsonOut); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
}

func (o *options) check() error {
	switch {
	case o.subscribers < 1 || o.subscribers > maxSubscribers:
		return fmt.Errorf("-subscribers must be 1 to %d", maxSubscribers)
	case o.rate <= 0 || o.rate > maxRate:
		return fmt.Errorf("-rate must be above 0 and at most %d", maxRate)
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case o.voters < 0 || o.voters > maxVoters:
		return fmt.Errorf("-voters must be 0 to %d", maxVoters)
	case o.settle < 0 || o.settle > 5*time.Minute:
		return errors.New("-settle must be 0 to 5m")
	case o.maxInFlight < 1 || o.maxInFlight > 4096:
		return errors.New("-max-in-flight must be 1 to 4096")
	case o.workshop == "":
		return errors.New("-workshop is required")
	case o.code == "" && o.token == "" && (o.email == "" || o.password == ""):
		return errors.New("give the join code (-code), a staff token (-token or $LOADTEST_TOKEN), " +
			"or a staff account (-email and $LOADTEST_PASSWORD)")
	}
	return loopbackOnly(o.url)
}

// loopbackOnly refuses any target that is not this machine.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url %q is not an http(s) URL", raw)
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("-url %s resolves to %s: the load tool only runs against loopback addresses", raw, ip)
		}
	}
	return nil
}

// raiseOpenFiles lifts the soft limit of open files towards need, within
// the hard limit, and returns the limit in force.
func raiseOpenFiles(need uint64) uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < need {
		l.Cur = min(need, l.Max)
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
