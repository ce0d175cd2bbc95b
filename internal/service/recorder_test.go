package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// blockingStore holds its first write until released, so the queue behind
// it fills.
type blockingStore struct {
	directory.ExposureStore
	mu      sync.Mutex
	shown   int64
	unmet   int64
	release chan struct{}
}

func (b *blockingStore) AddExposure(_ context.Context, cs []directory.ExposureCount) error {
	<-b.release
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		b.shown += c.Shown
	}
	return nil
}

func (b *blockingStore) AddUnmetNeed(_ context.Context, cs []directory.UnmetNeedCount) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range cs {
		b.unmet += c.Count
	}
	return nil
}

func TestRecorderDropsWhenFullAndFlushesOnClose(t *testing.T) {
	st := &blockingStore{release: make(chan struct{})}
	r := NewRecorder(st, nil, 4)
	one := []directory.ExposureCount{{Area: "LS6", ProviderID: "p", Shown: 1}}
	r.Record("", time.Time{}, one, nil)
	go func() { _ = r.Flush(context.Background()) }() // the writer now blocks in AddExposure
	for range 100 {
		r.Record("", time.Time{}, one, nil) // never blocks: at most 4 queue, the rest drop
	}
	if r.Dropped() < 90 {
		t.Fatalf("dropped %d of 100 with a queue of 4", r.Dropped())
	}
	close(st.release)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := 101 - r.Dropped(); st.shown != want {
		t.Fatalf("wrote %d shown, want %d (101 recorded, %d dropped)", st.shown, want, r.Dropped())
	}
}

// TestRecorderBoundsPairsBetweenWrites: past recorderMaxPairs distinct area
// and provider pairs, a match showing a new pair has its exposure dropped
// and counted, while one showing only pairs already summed keeps counting,
// and unmet-need counts are always kept; what was kept is written in full.
func TestRecorderBoundsPairsBetweenWrites(t *testing.T) {
	st := &blockingStore{release: make(chan struct{})}
	close(st.release)
	r := NewRecorder(st, nil, 0)
	page := func(area string, n int) []directory.ExposureCount {
		out := make([]directory.ExposureCount, n)
		for i := range out {
			out[i] = directory.ExposureCount{Area: area, ProviderID: fmt.Sprint("p", i), Shown: 1}
		}
		return out
	}
	unmet := []directory.UnmetNeedCount{{Area: "C", Need: "no_good_fit", Count: 1}}
	half := recorderMaxPairs / 2
	r.Record("", time.Time{}, page("A", half), nil)
	r.Record("", time.Time{}, page("B", half), nil)   // exactly at the bound: kept
	r.Record("", time.Time{}, page("C", 1), unmet)    // one new pair too many: dropped, its unmet need kept
	r.Record("", time.Time{}, page("A", 10), nil)     // only pairs already summed: kept
	r.Record("", time.Time{}, page("A", half+1), nil) // one new pair among old ones: dropped
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Dropped() != 2 {
		t.Fatalf("dropped %d observations, want 2", r.Dropped())
	}
	st.mu.Lock()
	shown, needs := st.shown, st.unmet
	st.mu.Unlock()
	if shown != int64(2*half+10) || needs != 1 {
		t.Fatalf("wrote %d shown and %d unmet, want %d and 1", shown, needs, 2*half+10)
	}
	// After the write the sums are empty again, so new pairs count.
	r.Record("", time.Time{}, page("C", 1), nil)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.Dropped() != 2 || st.shown != int64(2*half+10)+1 {
		t.Fatalf("after a write: dropped %d, shown %d", r.Dropped(), st.shown)
	}
}

// slowStore takes a while over every write and notes when each began and
// how many documents it held.
type slowStore struct {
	directory.ExposureStore
	mu     sync.Mutex
	took   time.Duration
	starts []time.Time
	sizes  []int
	shown  int64
}

func (s *slowStore) AddExposure(_ context.Context, cs []directory.ExposureCount) error {
	s.mu.Lock()
	s.starts, s.sizes = append(s.starts, time.Now()), append(s.sizes, len(cs))
	for _, c := range cs {
		s.shown += c.Shown
	}
	s.mu.Unlock()
	time.Sleep(s.took)
	return nil
}

func (s *slowStore) AddUnmetNeed(context.Context, []directory.UnmetNeedCount) error { return nil }

// TestRecorderPacesTimedWrites: a timed write goes a chunk at a time and
// rests between chunks, still counting what arrives (nothing is dropped);
// a flush in the middle of it writes the rest without resting.
func TestRecorderPacesTimedWrites(t *testing.T) {
	st := &slowStore{took: 10 * time.Millisecond}
	r := newRecorder(st, nil, 0, 20*time.Millisecond, recorderMaxSeen)
	pairs := 5*recorderChunk + 10
	page := make([]directory.ExposureCount, pairs)
	for i := range page {
		page[i] = directory.ExposureCount{Area: "A", ProviderID: fmt.Sprint("p", i), Shown: 1}
	}
	r.Record("", time.Time{}, page, nil)
	// Wait for the timed write to begin, then keep recording during it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st.mu.Lock()
		n := len(st.sizes)
		st.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no timed write within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	for range 100 {
		r.Record("", time.Time{}, page[:1], nil)
		time.Sleep(time.Millisecond)
	}
	st.mu.Lock()
	chunks := len(st.sizes)
	for i := 1; i < chunks; i++ {
		if gap := st.starts[i].Sub(st.starts[i-1]); gap < 2*st.took {
			t.Errorf("chunk %d began %v after the one before, which took %v: no rest", i, gap, st.took)
		}
	}
	st.mu.Unlock()
	if chunks < 2 {
		t.Fatalf("%d chunks written 100 ms into a paced write: the test proves little", chunks)
	}
	start := time.Now()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Resting, the chunks left would take 50 ms each.
	if d := time.Since(start); chunks < 5 && d > 150*time.Millisecond {
		t.Errorf("flush took %v: it rested", d)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, n := range st.sizes {
		if n > recorderChunk {
			t.Fatalf("write %d held %d documents, more than a chunk (%d)", i, n, recorderChunk)
		}
	}
	if want := int64(pairs + 100); st.shown != want || r.Dropped() != 0 {
		t.Fatalf("wrote %d shown, want %d; dropped %d", st.shown, want, r.Dropped())
	}
	_ = r.Close(context.Background())
}

// failOnceStore fails its second exposure write.
type failOnceStore struct {
	directory.ExposureStore
	calls, shown, unmet int64
}

func (s *failOnceStore) AddExposure(_ context.Context, cs []directory.ExposureCount) error {
	if s.calls++; s.calls == 2 {
		return errors.New("store unavailable")
	}
	for _, c := range cs {
		s.shown += c.Shown
	}
	return nil
}

func (s *failOnceStore) AddUnmetNeed(_ context.Context, cs []directory.UnmetNeedCount) error {
	for _, c := range cs {
		s.unmet += c.Count
	}
	return nil
}

// TestRecorderKeepsWhatAFailedWriteLeft: when a write fails part way, the
// chunks written stay written and the rest, with the unmet-need counts,
// waits for the next write: nothing is lost or counted twice.
func TestRecorderKeepsWhatAFailedWriteLeft(t *testing.T) {
	st := &failOnceStore{}
	r := newRecorder(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 0, time.Hour, recorderMaxSeen)
	page := make([]directory.ExposureCount, 2*recorderChunk+500)
	for i := range page {
		page[i] = directory.ExposureCount{Area: "A", ProviderID: fmt.Sprint("p", i), Shown: 1}
	}
	r.Record("", time.Time{}, page, []directory.UnmetNeedCount{{Area: "A", Need: "no_good_fit", Count: 1}})
	for range 2 {
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	_ = r.Close(context.Background())
	if st.shown != int64(len(page)) || st.unmet != 1 || st.calls < 4 {
		t.Fatalf("wrote %d shown and %d unmet in %d calls, want %d and 1", st.shown, st.unmet, st.calls, len(page))
	}
}

// TestRecorderCountsEachClientOnceADay: one client's repeated observations
// count once a day per area and provider (or need), each count apart; a
// client without a tag counts every time; and the day's memory is bounded:
// past it new counts are not made but counted as capped, and it empties the
// next day.
func TestRecorderCountsEachClientOnceADay(t *testing.T) {
	st := &blockingStore{release: make(chan struct{})}
	close(st.release)
	r := newRecorder(st, nil, 0, time.Hour, 10)
	defer func() { _ = r.Close(context.Background()) }()
	page := func(area string, n int, top3 int64) []directory.ExposureCount {
		out := make([]directory.ExposureCount, n)
		for i := range out {
			out[i] = directory.ExposureCount{Area: area, ProviderID: fmt.Sprint("p", i), Shown: 1, Top3: top3}
		}
		return out
	}
	unmet := []directory.UnmetNeedCount{{Area: "LS6", Need: directory.UnmetNeedMatches, Count: 1}}
	day := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	step := func(name string, shown, unmetN, capped int64) {
		t.Helper()
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.shown != shown || st.unmet != unmetN || r.Capped() != capped {
			t.Errorf("%s: shown %d, unmet %d, capped %d; want %d, %d, %d", name, st.shown, st.unmet, r.Capped(), shown, unmetN, capped)
		}
		if len(r.seen.keys) > 10 {
			t.Errorf("%s: remembers %d counts, more than its bound of 10", name, len(r.seen.keys))
		}
	}
	for range 1000 {
		r.Record("a", day, page("LS6", 3, 0), unmet)
	}
	step("one client a thousand times", 3, 1, 0)
	r.Record("a", day.Add(time.Hour), page("LS7", 1, 0), nil)
	step("the same client in another area", 4, 1, 0)
	r.Record("b", day, page("LS6", 3, 0), unmet)
	step("a second client", 7, 2, 0)
	for range 3 {
		r.Record("", day, page("LS6", 1, 0), nil)
	}
	step("no client tag", 10, 2, 0)
	r.Record("a", day.Add(24*time.Hour), page("LS6", 3, 0), unmet)
	step("the next day", 13, 3, 0)
	// Four counts remembered today; six more fit, fourteen do not.
	r.Record("c", day.Add(24*time.Hour), page("LS6", 20, 0), nil)
	step("past the bound", 19, 3, 14)
	r.Record("c", day.Add(24*time.Hour), page("LS6", 20, 0), nil)
	step("past the bound again", 19, 3, 28)
	r.Record("c", day.Add(48*time.Hour), page("LS6", 20, 0), nil)
	step("the memory empties the day after", 29, 3, 38)
}
