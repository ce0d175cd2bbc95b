package service

import (
	"context"
	"time"
)

// DeleteExpiredShortlists deletes the shortlists whose 30 days are over, so
// an expired code holds nothing rather than answering 410 over the record
// for ever. It returns how many it deleted.
func (s *Service) DeleteExpiredShortlists(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredShortlists(ctx, s.now())
}

// SweepShortlists runs DeleteExpiredShortlists now and then every interval
// until ctx is done, logging failures (the next sweep tries again).
func (s *Service) SweepShortlists(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.DeleteExpiredShortlists(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Warn("deleting expired shortlists", "err", err)
		case n > 0:
			s.logger.Info("expired shortlists deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
