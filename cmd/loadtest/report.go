package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"syscall"
	"time"
)

// hist counts durations in 100 µs steps up to two minutes; beyond, in the
// last step. Exact enough for percentiles, and the same size for any load.
type hist struct {
	buckets []uint32
	n       int64
	max     time.Duration
}

const histStep = 100 * time.Microsecond

func newHist() *hist { return &hist{buckets: make([]uint32, int(2*time.Minute/histStep)+1)} }

func (h *hist) add(d time.Duration) {
	i := min(int(d/histStep), len(h.buckets)-1)
	h.buckets[i]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the upper edge of the step holding quantile q.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(q*float64(h.n-1)) + 1
	var seen int64
	for i, c := range h.buckets {
		seen += int64(c)
		if seen >= rank {
			return min(time.Duration(i+1)*histStep, h.max)
		}
	}
	return h.max
}

// summary is a latency distribution in milliseconds.
type summary struct {
	Samples int64   `json:"samples"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (h *hist) summary() summary {
	return summary{Samples: h.n, P50: ms(h.quantile(0.50)), P90: ms(h.quantile(0.90)), P99: ms(h.quantile(0.99)), Max: ms(h.max)}
}

// report holds the figures of one run.
type report struct {
	Date           string  `json:"date"`
	URL            string  `json:"url"`
	Workshop       string  `json:"workshop"`
	Subscribers    int     `json:"subscribers"`
	Rate           float64 `json:"rate"`
	Duration       string  `json:"duration"`
	Ideas          int     `json:"ideas"`
	Voters         int     `json:"voters"`
	PreVotes       int     `json:"pre_votes"`
	OpenFilesLimit uint64  `json:"open_files_limit"`
	SetupSeconds   float64 `json:"setup_seconds"`
	ConnectSeconds float64 `json:"connect_seconds"`
	VotingSeconds  float64 `json:"voting_seconds"`

	Sent         int64          `json:"votes_sent"`
	Skipped      int64          `json:"votes_skipped"`
	Failed       int64          `json:"votes_failed"`
	Errors       map[string]int `json:"errors,omitempty"`
	AchievedRate float64        `json:"achieved_rate"`
	Request      summary        `json:"vote_request"`

	Delivery    summary `json:"delivery"`
	Early       int64   `json:"delivered_before_response"`
	Undelivered int64   `json:"undelivered"`

	Events            int64 `json:"events_received"`
	VoteEvents        int64 `json:"vote_events_received"`
	StreamsEnded      int64 `json:"streams_ended_by_server"`
	SubscribersCutOff int   `json:"subscribers_cut_off"`
	ConnectErrors     int64 `json:"connect_errors"`
	Reorders          int64 `json:"events_out_of_order"`
	Backwards         int64 `json:"counts_moving_backwards"`

	ClientCPUSeconds float64 `json:"client_cpu_seconds"`
	ClientMaxRSSMB   float64 `json:"client_max_rss_mb"`
	GoVersion        string  `json:"go"`
	CPUs             int     `json:"cpus"`
}

// measure matches every answered vote with, on every stream, the first
// event of its idea whose count is at or beyond the vote's: counts only
// move one way per idea during the run, so that event is the first one
// read after the vote was committed.
func (r *report) measure(ops []op, subs []*subscriber, up []bool) {
	h := newHist()
	for _, s := range subs {
		r.Events += s.events.Load()
		r.VoteEvents += s.votes.Load()
		r.StreamsEnded += s.ends.Load()
		r.ConnectErrors += s.connectErr.Load()
		r.Reorders += s.reorders.Load()
		if s.ends.Load() > 0 {
			r.SubscribersCutOff++
		}
		for i, hs := range s.hist {
			for j := 1; j < len(hs); j++ {
				if up[i] && hs[j].votes < hs[j-1].votes || !up[i] && hs[j].votes > hs[j-1].votes {
					r.Backwards++
				}
			}
		}
	}
	for _, op := range ops {
		if !op.ok {
			continue
		}
		for _, s := range subs {
			hs := s.hist[op.idea]
			var k int
			if up[op.idea] {
				k = sort.Search(len(hs), func(i int) bool { return hs[i].votes >= op.votes })
			} else {
				k = sort.Search(len(hs), func(i int) bool { return hs[i].votes <= op.votes })
			}
			if k == len(hs) {
				r.Undelivered++
				continue
			}
			d := hs[k].at - op.at
			if d < 0 {
				r.Early++
				d = 0
			}
			h.add(d)
		}
	}
	r.Delivery = h.summary()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		r.ClientCPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		r.ClientMaxRSSMB = float64(ru.Maxrss) / 1024
	}
	r.GoVersion, r.CPUs = runtime.Version(), runtime.NumCPU()
}

func (r *report) print(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("werkstatt live load test, %s", r.Date)
	p("target            %s, workshop %s (%d ideas)", r.URL, r.Workshop, r.Ideas)
	p("setup             %d voter guests, %d votes placed to take back, %.1f s", r.Voters, r.PreVotes, r.SetupSeconds)
	p("subscribers       %d streams open in %.1f s (open-files limit %d)", r.Subscribers, r.ConnectSeconds, r.OpenFilesLimit)
	p("votes             %d sent in %.1f s (%.1f/s of %.0f/s asked), %d failed, %d skipped (too many in flight)",
		r.Sent, r.VotingSeconds, r.AchievedRate, r.Rate, r.Failed, r.Skipped)
	for e, n := range r.Errors {
		p("  error x%d: %s", n, e)
	}
	p("vote request      p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms", r.Request.P50, r.Request.P90, r.Request.P99, r.Request.Max)
	p("vote → delivery   p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (%d vote×stream samples)",
		r.Delivery.P50, r.Delivery.P90, r.Delivery.P99, r.Delivery.Max, r.Delivery.Samples)
	p("                  %d delivered before the vote's response arrived (counted as 0), %d never delivered", r.Early, r.Undelivered)
	p("events            %d received, %d of them vote.changed (%.0f per stream)", r.Events, r.VoteEvents, float64(r.Events)/float64(max(1, r.Subscribers)))
	p("streams           %d ended by the server (%d subscribers cut off and reconnected), %d failed connections",
		r.StreamsEnded, r.SubscribersCutOff, r.ConnectErrors)
	p("order             %d events out of id order, %d counts moving backwards", r.Reorders, r.Backwards)
	p("load tool         %.1f s CPU, %.0f MB max RSS, %s, %d CPUs", r.ClientCPUSeconds, r.ClientMaxRSSMB, r.GoVersion, r.CPUs)
}

func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
