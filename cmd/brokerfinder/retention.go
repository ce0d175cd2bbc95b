package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/service"
)

// retentionEvery is how often serve erases the client details of referrals
// past their retention period. Erasure is due on a day, not a minute; an
// hour keeps the sweep cheap and a restart never delays it long.
const retentionEvery = time.Hour

// startRetention erases expired referral details now and then every
// interval until the returned stop function is called; stop waits for a
// sweep under way to finish.
func startRetention(ctx context.Context, svc *service.Service, ret service.Retention, every time.Duration, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			n, err := svc.EraseExpiredReferrals(ctx, ret)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Error("erasing referrals past their retention period", "err", err, "erased", n)
			case n > 0:
				logger.Info("erased referrals past their retention period", "erased", n, "retention", ret.String())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
