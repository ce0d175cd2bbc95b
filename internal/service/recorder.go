package service

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Recorder counts, in the background, what each match showed: per area and
// provider, shown, shown in the top three and chosen; and per area and need,
// matches with no good fit. Each count is of distinct clients a day: a
// client counted for an area and provider (or need) is not counted again
// until the next UTC day (see seen), however often it repeats or pages a
// search. A match must never wait for or fail on this, so
// Record only puts the counts on a bounded queue and drops them (counting
// the drop) when it is full; one goroutine sums the queue and writes the
// sums every few seconds, on Flush and on Close.
type Recorder struct {
	store   directory.ExposureStore
	logger  *slog.Logger
	every   time.Duration
	queue   chan observation
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	dropped atomic.Int64
	capped  atomic.Int64
	seen    *seen
}

type observation struct {
	client   string
	day      int64
	exposure []directory.ExposureCount
	unmet    []directory.UnmetNeedCount
}

// recorderEvery is how often the background writer writes its sums. Sums
// of the same area and provider merge between writes, so a longer interval
// means fewer, not larger, writes: at 100k providers under load, writes
// every 5 s competed with requests for the embedded store. Reports flush
// first, so they are never behind.
const recorderEvery = 30 * time.Second

// recorderMaxPairs bounds the area and provider pairs summed between writes.
// Each pair is one document written, and on the embedded store a write costs
// about 13 µs a document of the two cores requests need: 50,000 pairs every
// 30 s is about 2% of a core, and room for some 80 matches a second in
// distinct districts, far beyond a national service's interviews. Past it,
// a match showing any pair not yet summed has its exposure dropped and
// counted (the exposure report says how many), rather than slowing every
// request; pairs already summed, and unmet-need counts, keep counting.
// Under the load command's 1,000 matches a second in random districts,
// unbounded sums made the writes take a fifth of the CPU.
const recorderMaxPairs = 50_000

// A timed write goes a chunk of recorderChunk documents at a time and rests
// between chunks for recorderRest times as long as each took, still summing
// what arrives. Written at once, 50,000 documents took most of a second of
// one of the two cores, and requests queued behind them; paced, the writer
// takes a fifth of a core for a few seconds. Flush and Close, which someone
// waits for, write without resting.
const (
	recorderChunk = 1000
	recorderRest  = 4
)

// NewRecorder starts a recorder writing to store, with a queue of size
// observations (0 means 4096).
func NewRecorder(store directory.ExposureStore, logger *slog.Logger, size int) *Recorder {
	return newRecorder(store, logger, size, recorderEvery, recorderMaxSeen)
}

// newRecorder is NewRecorder writing every so often and remembering at
// most maxSeen counts a day.
func newRecorder(store directory.ExposureStore, logger *slog.Logger, size int, every time.Duration, maxSeen int) *Recorder {
	if size <= 0 {
		size = 4096
	}
	if logger == nil {
		logger = slog.Default()
	}
	r := &Recorder{store: store, logger: logger, every: every, queue: make(chan observation, size),
		flushes: make(chan chan struct{}), stop: make(chan struct{}), done: make(chan struct{}), seen: newSeen(maxSeen)}
	go r.run()
	return r
}

// Record queues one observation without blocking: what one match at time
// at showed the client with tag client (see WithClient; "" counts every
// observation).
func (r *Recorder) Record(client string, at time.Time, exposure []directory.ExposureCount, unmet []directory.UnmetNeedCount) {
	if len(exposure) == 0 && len(unmet) == 0 {
		return
	}
	select {
	case r.queue <- observation{client, dayOf(at), exposure, unmet}:
	default:
		r.drop()
	}
}

// drop counts one observation dropped, and says so now and then.
func (r *Recorder) drop() {
	if r.dropped.Add(1)%1000 == 1 {
		r.logger.Warn("exposure recorder over capacity: dropping counts", "dropped", r.dropped.Load())
	}
}

// Queued returns how many observations wait on the queue.
func (r *Recorder) Queued() int { return len(r.queue) }

// Dropped returns how many observations' exposure counts were dropped,
// because the queue was full or the sums held as many pairs as one write
// takes (recorderMaxPairs).
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// Capped returns how many counts were not made because the day's memory
// of counts made was full (see recorderMaxSeen).
func (r *Recorder) Capped() int64 { return r.capped.Load() }

// firstOnly keeps, of o's counts, those its client has not had counted
// today, and remembers them.
func (r *Recorder) firstOnly(o observation) observation {
	if o.client == "" {
		return o
	}
	once := func(kind byte, area, id string, n int64) int64 {
		if n == 0 {
			return 0
		}
		first, full := r.seen.first(o.day, o.client, kind, area, id)
		if full && r.capped.Add(1)%1000 == 1 {
			r.logger.Warn("exposure recorder's memory of today's clients is full: not counting new ones", "capped", r.capped.Load())
		}
		if !first {
			return 0
		}
		return 1
	}
	out := observation{client: o.client, day: o.day}
	for _, c := range o.exposure {
		e := directory.ExposureCount{Area: c.Area, ProviderID: c.ProviderID,
			Shown: once('s', c.Area, c.ProviderID, c.Shown), Top3: once('t', c.Area, c.ProviderID, c.Top3),
			Chosen: once('c', c.Area, c.ProviderID, c.Chosen)}
		if e.Shown+e.Top3+e.Chosen > 0 {
			out.exposure = append(out.exposure, e)
		}
	}
	for _, u := range o.unmet {
		if n := once('u', u.Area, u.Need, u.Count); n > 0 {
			out.unmet = append(out.unmet, directory.UnmetNeedCount{Area: u.Area, Need: u.Need, Count: n})
		}
	}
	return out
}

// Flush writes everything queued so far and returns when it is written (or
// ctx ends).
func (r *Recorder) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case r.flushes <- ack:
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes what is queued and stops the writer. Call it after the HTTP
// server has shut down, so no more matches arrive.
func (r *Recorder) Close(ctx context.Context) error {
	r.once.Do(func() { close(r.stop) })
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Recorder) run() {
	defer close(r.done)
	tick := time.NewTicker(r.every)
	defer tick.Stop()
	exp := directory.ExposureSums{}
	unmet := map[[2]string]int64{}
	add := func(o observation) {
		// Counts already made for this client today go first. An
		// observation then dropped at recorderMaxPairs stays remembered,
		// so that client is not counted again that day: low, not high,
		// and the drop is counted.
		o = r.firstOnly(o)
		// Unmet-need sums are few (areas by needs) and always kept. The
		// exposure of a match is kept whole or not at all, and only the
		// pairs not yet summed count against the bound.
		for _, u := range o.unmet {
			unmet[[2]string{u.Area, u.Need}] += u.Count
		}
		fresh := 0
		for _, c := range o.exposure {
			if !exp.Has(c.Area, c.ProviderID) {
				fresh++
			}
		}
		if len(exp)+fresh > recorderMaxPairs {
			r.drop()
			return
		}
		for _, c := range o.exposure {
			exp.Add(c)
		}
	}
	drain := func() {
		for {
			select {
			case o := <-r.queue:
				add(o)
			default:
				return
			}
		}
	}
	var acks []chan struct{} // flushes waiting for a write
	stopping := false
	// rest waits for d, summing what arrives; a flush or stop ends it, as
	// someone is waiting.
	rest := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		for {
			select {
			case o := <-r.queue:
				add(o)
			case ack := <-r.flushes:
				acks = append(acks, ack)
				return
			case <-r.stop:
				stopping = true
				return
			case <-t.C:
				return
			}
		}
	}
	// write writes the sums so far, paced or not (see recorderRest). What
	// arrives meanwhile is summed afresh; a failed write puts back what it
	// did not write, for the next try, rather than losing it.
	write := func(paced bool) {
		drain()
		if len(exp) == 0 && len(unmet) == 0 {
			return
		}
		ec := exp.List()
		var uc []directory.UnmetNeedCount
		for k, n := range unmet {
			uc = append(uc, directory.UnmetNeedCount{Area: k[0], Need: k[1], Count: n})
		}
		exp, unmet = directory.ExposureSums{}, map[[2]string]int64{}
		written := 0
		for written < len(ec) {
			n := min(recorderChunk, len(ec)-written)
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := r.store.AddExposure(ctx, ec[written:written+n])
			cancel()
			if err != nil {
				r.logger.Error("writing exposure counts", "err", err)
				break
			}
			written += n
			if paced && written < len(ec) && len(acks) == 0 && !stopping {
				rest(recorderRest * time.Since(start))
			}
		}
		for _, c := range ec[written:] {
			exp.Add(c)
		}
		if written == len(ec) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := r.store.AddUnmetNeed(ctx, uc)
			cancel()
			if err == nil {
				return
			}
			r.logger.Error("writing unmet-need counts", "err", err)
		}
		for _, u := range uc {
			unmet[[2]string{u.Area, u.Need}] += u.Count
		}
	}
	for {
		select {
		case o := <-r.queue:
			add(o)
		case <-tick.C:
			write(true)
		case ack := <-r.flushes:
			acks = append(acks, ack)
		case <-r.stop:
			stopping = true
		}
		if len(acks) > 0 || stopping {
			write(false)
			for _, ack := range acks {
				close(ack)
			}
			acks = nil
			if stopping {
				return
			}
		}
	}
}
