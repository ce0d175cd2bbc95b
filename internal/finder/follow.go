package finder

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Several replicas may share one store, each with its own catalogue and
// index. Every write through any replica appends to the store's change log;
// each replica follows the log (polling, since change streams are missing on
// FerretDB and polling works on every server) and reloads what changed. A
// write through this replica is applied at once by the API (Put), so the
// change it later reads for it is skipped as already held.

// followBatch is the most changes read per poll.
const followBatch = 500

// recoverEvery is how often a follower finishes writes left half done.
const recoverEvery = 30 * time.Second

// recoverer is a store that can finish writes whose writer stopped part
// way (mongodb.Store.Recover).
type recoverer interface {
	Recover(ctx context.Context) (int, error)
}

// follow polls the change log every interval until ctx ends.
func (f *Finder) follow(ctx context.Context, interval time.Duration) {
	defer close(f.followDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	lastRecover := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// A writer that died between applying a record and logging its
		// change (a replica killed, never restarted) would leave it unseen
		// here for ever; finishing such writes now and then logs them.
		if r, ok := f.store.(recoverer); ok && time.Since(lastRecover) >= recoverEvery {
			lastRecover = time.Now()
			if n, err := r.Recover(ctx); err != nil {
				f.logger.Debug("finishing interrupted writes", "err", err)
			} else if n > 0 {
				f.logger.Info("finished interrupted writes", "providers", n)
			}
		}
		err := f.CatchUp(ctx)
		switch {
		case err == nil:
			f.caughtUp.Store(time.Now().UnixNano())
			if failing {
				f.logger.Info("following the store's changes again")
			}
			failing = false
		case errors.Is(err, context.Canceled):
			return
		case !failing:
			// The catalogue keeps serving; say so once, not every second.
			f.logger.Warn("cannot read the store's changes; serving what is held", "err", err)
			failing = true
		}
	}
}

// CatchUp applies every change recorded since the last one seen. It returns
// how far it got on error, so the next call goes on from there.
func (f *Finder) CatchUp(ctx context.Context) error {
	if f.changes == nil {
		return nil
	}
	for {
		after := f.seq.Load()
		cs, err := f.changes.Changes(ctx, after, followBatch)
		if err != nil {
			return fmt.Errorf("finder: reading changes after %d: %w", after, err)
		}
		for _, c := range cs {
			if err := f.applyChange(ctx, c); err != nil {
				return err
			}
			f.seq.Store(c.Seq)
		}
		if len(cs) < followBatch {
			return nil
		}
	}
}

// applyChange reloads the provider a change names, unless a version at least
// as new is already held.
func (f *Finder) applyChange(ctx context.Context, c directory.Change) error {
	f.mu.Lock()
	held, ok := f.versions[c.ProviderID]
	f.mu.Unlock()
	if ok && held >= c.Version {
		return nil
	}
	p, err := f.store.Provider(ctx, c.ProviderID)
	if err != nil {
		return fmt.Errorf("finder: reloading %s for change %d: %w", c.ProviderID, c.Seq, err)
	}
	return f.Put(p)
}
