package directory

import "time"

// VerificationOverdueMonths is how long a record may go unconfirmed before
// advisers and admins are told to check it. Clients see a gentler flag only
// after a year (match.Flags, "stale"): the six-month one is a prompt to the
// provider and admins, not a warning to the public.
const VerificationOverdueMonths = 6

// DaysSinceVerified returns whole days from the last verification to now,
// and false when the record has never been verified (no valid date).
func (p *Provider) DaysSinceVerified(now time.Time) (int, bool) {
	t, ok := p.Freshness.LastVerified.Time()
	if !ok {
		return 0, false
	}
	return int(now.Sub(t).Hours() / 24), true
}

// VerifiedBefore reports whether the record was last verified more than
// months ago (or never).
func (p *Provider) VerifiedBefore(now time.Time, months int) bool {
	t, ok := p.Freshness.LastVerified.Time()
	return !ok || t.Before(now.AddDate(0, -months, 0))
}

// VerificationOverdue reports whether the record was last verified over six
// months ago (or never).
func (p *Provider) VerificationOverdue(now time.Time) bool {
	return p.VerifiedBefore(now, VerificationOverdueMonths)
}
