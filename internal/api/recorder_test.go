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

func (b *blockingStore) AddUnmetNeed(context.Context, []directory.UnmetNeedCount) error { return nil }

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
// and provider pairs, new observations are dropped and counted, while those
// already summed keep counting; what was kept is written in full.
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
	half := recorderMaxPairs / 2
	r.Record(page("A", half), nil)
	r.Record(page("B", half), nil) // exactly at the bound: kept
	r.Record(page("C", 1), nil)    // one pair too many: dropped
	r.Record(page("A", 10), nil)   // too: the check is per observation
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Dropped() != 2 {
		t.Fatalf("dropped %d observations, want 2", r.Dropped())
	}
	st.mu.Lock()
	shown := st.shown
	st.mu.Unlock()
	if shown != int64(2*half) {
		t.Fatalf("wrote %d shown, want %d", shown, 2*half)
	}
	// After the write the sums are empty again, so new pairs count.
	r.Record(page("C", 1), nil)
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r.Dropped() != 2 || st.shown != int64(2*half)+1 {
		t.Fatalf("after a write: dropped %d, shown %d", r.Dropped(), st.shown)
	}
}
