package api

import (
	"context"
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
