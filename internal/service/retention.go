package service

import (
	"context"
	"strconv"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Retention is how long a referral's client details are kept after it is
// closed (or withdrawn): a number of calendar months, or, if Months is 0, a
// duration.
type Retention struct {
	Months   int
	Duration time.Duration
}

// DefaultRetention keeps client details for 12 months after closing.
var DefaultRetention = Retention{Months: 12}

// Cutoff returns the closing time before which details are erased at now.
func (r Retention) Cutoff(now time.Time) time.Time {
	if r.Months > 0 {
		return now.AddDate(0, -r.Months, 0)
	}
	return now.Add(-r.Duration)
}

// String says the period in words.
func (r Retention) String() string {
	if r.Months > 0 {
		if r.Months == 1 {
			return "1 month"
		}
		return strconv.Itoa(r.Months) + " months"
	}
	return r.Duration.String()
}

// retentionPage is how many referrals a sweep reads at once.
const retentionPage = 200

// EraseExpiredReferrals erases the client details of every referral that
// was closed or withdrawn before ret's cutoff and still holds them, exactly
// as a consent withdrawal does, acting as the tool "brokerfinder retention"
// and audited as referral.retention_erase. The anonymous rest of each
// record stays for the counts. It returns how many it erased.
func (s *Service) EraseExpiredReferrals(ctx context.Context, ret Retention) (int, error) {
	ctx = Tool(ctx, "brokerfinder retention")
	cutoff := ret.Cutoff(s.now())
	n := 0
	for _, status := range []directory.ReferralStatus{directory.ReferralClosed, directory.ReferralWithdrawn} {
		// Erasing a closed or withdrawn referral leaves its status, so the
		// pages do not move under the loop.
		for page := 1; ; page++ {
			rs, _, err := s.store.ListReferrals(ctx, directory.ReferralFilter{Status: status, Page: page, PerPage: retentionPage})
			if err != nil {
				return n, err
			}
			for i := range rs {
				r := &rs[i]
				if r.ErasedAt != nil || !closedAt(r).Before(cutoff) {
					continue
				}
				if err := ctx.Err(); err != nil {
					return n, err
				}
				if _, err := s.erase(ctx, r.ID, "referral.retention_erase"); err != nil {
					return n, err
				}
				n++
			}
			if len(rs) < retentionPage {
				break
			}
		}
	}
	return n, nil
}

// closedAt is when r reached its final status.
func closedAt(r *directory.Referral) time.Time {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if r.Events[i].Status == r.Status && !r.Events[i].Erase {
			return r.Events[i].RecordedAt
		}
	}
	return r.UpdatedAt
}
