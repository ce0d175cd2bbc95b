package directory

import (
	"context"
	"crypto/rand"
	"time"
)

// Shortlist is what an adviser showed a client, saved for signposting: the
// client takes a short code away and contacts a provider themselves. It
// holds no client data at all: no name, no needs and nothing derived from
// them (no met or not-met explanations, no fit scores: "Does not specialise
// in epilepsy" tells whoever has the code about the client's health), only
// the postcode district, the providers shown in order, which provider the
// client chose and the adviser's suitability note.
type Shortlist struct {
	Code string `json:"code" example:"K7QX3MPD"`
	// District is the postcode district (or town) the match was for.
	District string `json:"district" example:"LS6"`
	Total    int    `json:"total"`
	// NoGoodFit is true when nothing shown met most of what was asked.
	NoGoodFit bool            `json:"no_good_fit"`
	Items     []ShortlistItem `json:"items"`
	// ChosenProviderID is the provider the client chose, if any.
	ChosenProviderID string `json:"chosen_provider_id,omitempty"`
	// Note is the adviser's suitability note. Advisers are told not to put
	// health details or names in it.
	Note      string    `json:"note,omitempty"`
	CreatedBy string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ShortlistItem is one provider as it was shown: who and in what order,
// never how well it fitted the client's needs.
type ShortlistItem struct {
	ProviderID string `json:"provider_id"`
	Name       string `json:"name"`
	Rank       int    `json:"rank"`
	// Flags are the flag codes shown (telephone_only, stale, ...): facts
	// of the provider whatever the client's needs (match.Flags), so they
	// reveal nothing about the client.
	Flags []string `json:"flags"`
	// OtherProvision is true for an item shown as other help when nothing
	// fitted, rather than in the ranked list.
	OtherProvision bool `json:"other_provision,omitempty"`
}

// ShortlistLifetime is how long a client can open a shortlist.
const ShortlistLifetime = 30 * 24 * time.Hour

// codeAlphabet leaves out letters and digits that are easily confused when
// read aloud or copied from paper (0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V).
const codeAlphabet = "34679ACDEFGHJKMNPQRTWXY"

// ShortlistCodeLen is the code's length: 23^8 is about 7.8e10 codes, so
// guessing a live one is impractical, and a clash on insert is retried.
const ShortlistCodeLen = 8

// NewShortlistCode returns a random code from crypto/rand.
func NewShortlistCode() string {
	b := make([]byte, ShortlistCodeLen)
	out := make([]byte, ShortlistCodeLen)
	for i := 0; i < ShortlistCodeLen; {
		_, _ = rand.Read(b)
		for _, x := range b {
			// Reject bytes past the largest multiple of the alphabet's
			// size so every letter is equally likely.
			if int(x) >= 256-256%len(codeAlphabet) || i == ShortlistCodeLen {
				continue
			}
			out[i] = codeAlphabet[int(x)%len(codeAlphabet)]
			i++
		}
	}
	return string(out)
}

// ValidShortlistCode reports whether s could be a code (so junk never
// reaches the store).
func ValidShortlistCode(s string) bool {
	if len(s) != ShortlistCodeLen {
		return false
	}
	for i := range len(s) {
		ok := false
		for j := range len(codeAlphabet) {
			if s[i] == codeAlphabet[j] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ShortlistStore keeps shortlists.
type ShortlistStore interface {
	// CreateShortlist stores s, giving it a fresh code. ErrConflict only if
	// no free code was found after several tries.
	CreateShortlist(ctx context.Context, s *Shortlist) error
	// Shortlist returns the shortlist with that code, expired or not
	// (until DeleteExpiredShortlists removes it). ErrNotFound if there is
	// none.
	Shortlist(ctx context.Context, code string) (*Shortlist, error)
	// DeleteExpiredShortlists deletes every shortlist whose ExpiresAt is
	// not after now and returns how many it deleted.
	DeleteExpiredShortlists(ctx context.Context, now time.Time) (int64, error)
}
