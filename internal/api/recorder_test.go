package api

import (
	"context"
	"fmt"
	"sync"
	"testing"

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
	r.Record(one, nil)
	go func() { _ = r.Flush(context.Background()) }() // the writer now blocks in AddExposure
	for range 100 {
		r.Record(one, nil) // never blocks: at most 4 queue, the rest drop
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
	r.Record(page("A", half), nil)
	r.Record(page("B", half), nil)   // exactly at the bound: kept
	r.Record(page("C", 1), unmet)    // one new pair too many: dropped, its unmet need kept
	r.Record(page("A", 10), nil)     // only pairs already summed: kept
	r.Record(page("A", half+1), nil) // one new pair among old ones: dropped
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
	r.Record(page("C", 1), nil)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.Dropped() != 2 || st.shown != int64(2*half+10)+1 {
		t.Fatalf("after a write: dropped %d, shown %d", r.Dropped(), st.shown)
	}
}
