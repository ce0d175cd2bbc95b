package directory

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ReferralStatus is where a referral is in its lifecycle.
type ReferralStatus string

// Referral statuses, in lifecycle order.
const (
	ReferralSent         ReferralStatus = "sent"
	ReferralAcknowledged ReferralStatus = "acknowledged"
	ReferralAccepted     ReferralStatus = "accepted"
	ReferralDeclined     ReferralStatus = "declined"
	ReferralStarted      ReferralStatus = "started"
	ReferralJobEntry     ReferralStatus = "job_entry"
	ReferralSustained    ReferralStatus = "sustained"
	ReferralClosed       ReferralStatus = "closed"
	ReferralWithdrawn    ReferralStatus = "withdrawn"
)

// ReferralStatuses lists every status in lifecycle order.
var ReferralStatuses = []ReferralStatus{
	ReferralSent, ReferralAcknowledged, ReferralAccepted, ReferralDeclined, ReferralStarted,
	ReferralJobEntry, ReferralSustained, ReferralClosed, ReferralWithdrawn,
}

// referralNext is the lifecycle: sent -> acknowledged -> accepted or
// declined -> started -> job_entry -> sustained -> closed. A declined
// referral, or one where the client left (started, job_entry), may be
// closed. Withdrawn is reachable from every status that is not final
// (closed, withdrawn), because a client may change their mind at any time.
var referralNext = map[ReferralStatus][]ReferralStatus{
	ReferralSent:         {ReferralAcknowledged},
	ReferralAcknowledged: {ReferralAccepted, ReferralDeclined},
	ReferralAccepted:     {ReferralStarted},
	ReferralDeclined:     {ReferralClosed},
	ReferralStarted:      {ReferralJobEntry, ReferralClosed},
	ReferralJobEntry:     {ReferralSustained, ReferralClosed},
	ReferralSustained:    {ReferralClosed},
}

// Valid reports whether s is a known status.
func (s ReferralStatus) Valid() bool {
	for _, x := range ReferralStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Final reports whether nothing can follow s.
func (s ReferralStatus) Final() bool { return s == ReferralClosed || s == ReferralWithdrawn }

// CanTransition reports whether a referral may move from one status to
// another.
func CanTransition(from, to ReferralStatus) bool {
	if !from.Valid() || from.Final() {
		return false
	}
	if to == ReferralWithdrawn {
		return true
	}
	for _, n := range referralNext[from] {
		if n == to {
			return true
		}
	}
	return false
}

// SustainedAfter is how long a job must last to count as sustained: 13
// weeks, the measure since October 2003 (DOMAIN.md).
const SustainedAfter = 13 * 7 * 24 * time.Hour

// Consent is the client's recorded agreement to a referral: who agreed,
// when, what may be shared, and with which provider. No referral exists
// without one (DOMAIN.md: a referral needs recorded consent).
type Consent struct {
	// GivenBy is client, appointee or advocate: who agreed, not their name.
	GivenBy string    `json:"given_by" example:"client" binding:"required"`
	GivenAt time.Time `json:"given_at" binding:"required"`
	// Shares says what the client agreed to pass on: any of name, contact,
	// needs. Details not covered are refused, not silently kept.
	Shares []string `json:"shares" example:"name,contact" binding:"required"`
	// ProviderID is the provider the client agreed to be referred to.
	ProviderID  string     `json:"provider_id" binding:"required"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

// What a client may agree to share.
const (
	ShareName    = "name"
	ShareContact = "contact"
	ShareNeeds   = "needs"
)

// ClientDetails is the minimum a provider needs to contact a client. It is
// special-category personal data: never logged, never in a URL, shown only
// to the referring adviser and the receiving provider, and erased when
// consent is withdrawn.
type ClientDetails struct {
	// Name is a first name or initials, not a full name.
	Name  string `json:"name,omitempty" example:"Sam"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
	// Needs are the needs the client agreed to share.
	Needs *Needs `json:"needs,omitempty"`
}

// Empty reports whether no detail is held.
func (c ClientDetails) Empty() bool {
	return c.Name == "" && c.Phone == "" && c.Email == "" && c.Needs == nil
}

// String never prints the details, so a stray log line cannot leak them.
func (c ClientDetails) String() string { return "client{redacted}" }

// Referral is an adviser's introduction of a client to a provider, made with
// the client's consent, and what came of it.
type Referral struct {
	ID         string         `json:"id"`
	ProviderID string         `json:"provider_id"`
	Status     ReferralStatus `json:"status" example:"sent"`
	Client     ClientDetails  `json:"client"`
	Consent    Consent        `json:"consent"`
	// Note is the adviser's note to the provider: why this provider. It
	// must not repeat health details (those go in client.needs, with
	// consent), and is erased with them.
	Note string `json:"note,omitempty"`
	// CreatedBy is the referring adviser's token id; only that adviser
	// sees the referral among advisers.
	CreatedBy     string `json:"created_by"`
	CreatedByName string `json:"created_by_name"`
	// Reason says why the provider declined, or why it was withdrawn or
	// closed. It may repeat client details, so erasure clears it.
	Reason string `json:"reason,omitempty"`
	// Events is the lifecycle so far, oldest first.
	Events []ReferralEvent `json:"events"`
	// ErasedAt is when the client's details were erased after consent was
	// withdrawn; the anonymous rest of the record stays for counts.
	ErasedAt  *time.Time `json:"erased_at,omitempty"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ReferralEvent is one change to a referral. Its only free text is Reason,
// which erasure clears; the rest (who, when, which status) holds no client
// detail and survives erasure for the counts.
type ReferralEvent struct {
	Version int64          `json:"version"`
	Status  ReferralStatus `json:"status"`
	// At is when it happened (a job's start date may be given later);
	// RecordedAt is when it was recorded.
	At         time.Time `json:"at"`
	RecordedAt time.Time `json:"recorded_at"`
	By         Actor     `json:"by"`
	// Reason is cleared, in every event, when the details are erased.
	Reason string `json:"reason,omitempty"`
	// Erase is true for the consent withdrawal that erased the details.
	Erase bool `json:"erase,omitempty"`
}

// Limits on referral text.
const (
	MaxClientName = 40
	MaxNote       = 1000
	MaxReason     = 500
)

// Normalize trims the text fields.
func (r *Referral) Normalize() {
	r.ProviderID = strings.TrimSpace(r.ProviderID)
	r.Note = strings.TrimSpace(r.Note)
	r.Client.Name = strings.TrimSpace(r.Client.Name)
	r.Client.Phone = strings.TrimSpace(r.Client.Phone)
	r.Client.Email = strings.TrimSpace(r.Client.Email)
	r.Consent.GivenBy = strings.TrimSpace(r.Consent.GivenBy)
	r.Consent.ProviderID = strings.TrimSpace(r.Consent.ProviderID)
	r.Consent.Shares = dedupe(r.Consent.Shares)
	if r.Client.Needs != nil {
		r.Client.Needs.Normalize()
	}
}

// ValidateNew checks a referral an adviser is making, at time now: a
// provider, a consent record for that provider given by the client (or
// their appointee or advocate) no later than now, and client details only
// of the kinds the consent covers, with a way to make contact.
func (r *Referral) ValidateNew(now time.Time) error {
	var v problems
	if !ValidID(r.ProviderID) {
		v.add("provider_id", "is required: the provider's id")
	}
	c := r.Consent
	switch c.GivenBy {
	case "client", "appointee", "advocate":
	default:
		v.add("consent.given_by", "must be client, appointee or advocate: without recorded consent there is no referral")
	}
	if c.GivenAt.IsZero() {
		v.add("consent.given_at", "is required: when the client agreed")
	} else if c.GivenAt.After(now.Add(5 * time.Minute)) {
		v.add("consent.given_at", "cannot be in the future")
	}
	if c.ProviderID != r.ProviderID {
		v.add("consent.provider_id", "must be the provider the referral is to: consent is given for one provider")
	}
	if c.WithdrawnAt != nil {
		v.add("consent.withdrawn_at", "must not be set on a new referral")
	}
	shares := map[string]bool{}
	for i, s := range c.Shares {
		switch s {
		case ShareName, ShareContact, ShareNeeds:
			shares[s] = true
		default:
			v.add(fmt.Sprintf("consent.shares[%d]", i), "must be name, contact or needs")
		}
	}
	if !shares[ShareContact] {
		v.add("consent.shares", "must include contact: a referral means the provider contacts the client")
	}
	cd := r.Client
	if cd.Name != "" && !shares[ShareName] {
		v.add("client.name", "the client did not agree to share their name")
	}
	if len(cd.Name) > MaxClientName {
		v.add("client.name", "must be a first name or initials, at most %d characters", MaxClientName)
	}
	if cd.Phone == "" && cd.Email == "" {
		v.add("client.phone", "give a phone number or an email address so the provider can make contact")
	}
	if cd.Phone != "" && !phonePattern.MatchString(cd.Phone) {
		v.add("client.phone", "must be a phone number, such as 0113 496 0000")
	}
	if cd.Email != "" {
		if !emailPattern.MatchString(cd.Email) || len(cd.Email) > 254 {
			v.add("client.email", "must be an email address such as sam@example.org")
		}
	}
	if cd.Needs != nil {
		if !shares[ShareNeeds] {
			v.add("client.needs", "the client did not agree to share their needs")
		} else if err := cd.Needs.Validate("client.needs"); err != nil {
			if ve, ok := err.(*ValidationError); ok {
				v.list = append(v.list, ve.Problems...)
			}
		}
	}
	if len(r.Note) > MaxNote {
		v.add("note", "must be at most %d characters", MaxNote)
	}
	return v.err()
}

// TransitionError says why a referral cannot move to a status. It matches
// ErrConflict: the request is well formed but clashes with the record's
// state.
type TransitionError struct {
	From, To ReferralStatus
	Message  string
}

// Error returns the message.
func (e *TransitionError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrConflict) true.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }

// Apply applies ev to r: the one place a referral's state changes, used both
// when a change is made and when a store rolls an unfinished change
// forward. It checks the lifecycle and, for sustained, that 13 weeks have
// passed since the job entry.
func (r *Referral) Apply(ev ReferralEvent) error {
	if ev.Version != r.Version+1 {
		return ErrVersionMismatch
	}
	if ev.Erase {
		// Withdrawing consent ends a live referral, and erases the details
		// even on a closed one.
		if !r.Status.Final() {
			r.Status = ReferralWithdrawn
		}
		// Every free text may repeat what the client said (a decline
		// reason naming a condition), so all of it goes: the note, the
		// reason, and the reason of every event so far.
		r.Client = ClientDetails{}
		r.Note = ""
		r.Reason = ""
		for i := range r.Events {
			r.Events[i].Reason = ""
		}
		ev.Reason = ""
		at := ev.RecordedAt
		r.ErasedAt = &at
		r.Consent.WithdrawnAt = &at
		ev.Status = r.Status
	} else {
		if !CanTransition(r.Status, ev.Status) {
			return &TransitionError{From: r.Status, To: ev.Status, Message: transitionMessage(r.Status, ev.Status)}
		}
		if ev.Status == ReferralSustained {
			entry, ok := r.eventAt(ReferralJobEntry)
			if ok && ev.At.Sub(entry) < SustainedAfter {
				return &TransitionError{From: r.Status, To: ev.Status, Message: fmt.Sprintf(
					"A job counts as sustained after 13 weeks; this one started on %s. Record sustained on or after %s.",
					entry.Format(time.DateOnly), entry.Add(SustainedAfter).Format(time.DateOnly))}
			}
		}
		r.Status = ev.Status
		if ev.Reason != "" {
			r.Reason = ev.Reason
		}
	}
	r.Version = ev.Version
	r.UpdatedAt = ev.RecordedAt
	r.Events = append(r.Events, ev)
	return nil
}

func (r *Referral) eventAt(s ReferralStatus) (time.Time, bool) {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if r.Events[i].Status == s {
			return r.Events[i].At, true
		}
	}
	return time.Time{}, false
}

func transitionMessage(from, to ReferralStatus) string {
	if from.Final() {
		return fmt.Sprintf("This referral is %s: nothing can follow.", from)
	}
	next := append([]ReferralStatus{}, referralNext[from]...)
	next = append(next, ReferralWithdrawn)
	parts := make([]string, len(next))
	for i, n := range next {
		parts[i] = string(n)
	}
	return fmt.Sprintf("A referral that is %s cannot become %s; it can become %s.", from, to, strings.Join(parts, ", "))
}

// ReferralFilter selects referrals. Empty fields do not filter.
type ReferralFilter struct {
	ProviderID string
	CreatedBy  string
	Status     ReferralStatus
	Page       int
	PerPage    int
}

// ReferralStore keeps referrals.
type ReferralStore interface {
	// CreateReferral stores a new referral at version 1 with its first
	// event (sent), setting ID and times.
	CreateReferral(ctx context.Context, r *Referral) error
	// Referral returns one referral. ErrNotFound if there is none.
	Referral(ctx context.Context, id string) (*Referral, error)
	// ListReferrals returns a page of referrals, newest first, and the total.
	ListReferrals(ctx context.Context, f ReferralFilter) ([]Referral, int64, error)
	// UpdateReferral applies ev (ev.Version must be the stored version + 1)
	// and returns the updated referral. ErrNotFound if there is none,
	// ErrVersionMismatch if the stored version is not ev.Version-1, a
	// TransitionError (ErrConflict) if the lifecycle forbids it.
	UpdateReferral(ctx context.Context, id string, ev ReferralEvent) (*Referral, error)
}
