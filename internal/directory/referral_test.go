package directory

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCanTransitionExhaustive checks every (from, to) pair against the
// lifecycle written out by hand, so a change to the table is deliberate.
func TestCanTransitionExhaustive(t *testing.T) {
	allowed := map[string]bool{
		"sent>acknowledged": true, "acknowledged>accepted": true, "acknowledged>declined": true,
		"accepted>started": true, "declined>closed": true, "started>job_entry": true,
		"started>closed": true, "job_entry>sustained": true, "job_entry>closed": true,
		"sustained>closed": true,
	}
	for _, s := range ReferralStatuses {
		if !s.Final() {
			allowed[string(s)+">withdrawn"] = true
		}
	}
	n := 0
	for _, from := range ReferralStatuses {
		for _, to := range ReferralStatuses {
			want := allowed[string(from)+">"+string(to)]
			if want {
				n++
			}
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if n != 17 {
		t.Fatalf("%d allowed transitions, want 17", n)
	}
	if CanTransition("bogus", ReferralWithdrawn) || CanTransition(ReferralSent, "bogus") {
		t.Fatal("unknown statuses must not transition")
	}
}

func TestApplySustainedNeeds13Weeks(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	r := Referral{Status: ReferralStarted, Version: 4}
	if err := r.Apply(ReferralEvent{Version: 5, Status: ReferralJobEntry, At: start, RecordedAt: start}); err != nil {
		t.Fatal(err)
	}
	early := ReferralEvent{Version: 6, Status: ReferralSustained, At: start.Add(12 * 7 * 24 * time.Hour)}
	err := r.Apply(early)
	var te *TransitionError
	if !errors.As(err, &te) || !errors.Is(err, ErrConflict) || !strings.Contains(te.Message, "13 weeks") {
		t.Fatalf("sustained after 12 weeks: %v, want a TransitionError about 13 weeks", err)
	}
	if err := r.Apply(ReferralEvent{Version: 6, Status: ReferralSustained, At: start.Add(SustainedAfter)}); err != nil {
		t.Fatalf("sustained after 13 weeks: %v", err)
	}
	if r.Status != ReferralSustained || r.Version != 6 || len(r.Events) != 2 {
		t.Fatalf("after apply: %s v%d %d events", r.Status, r.Version, len(r.Events))
	}
	if err := r.Apply(ReferralEvent{Version: 6, Status: ReferralClosed}); !errors.Is(err, ErrVersionMismatch) {
		t.Fatalf("stale version: %v", err)
	}
}

func TestApplyEraseKeepsAnonymousRecord(t *testing.T) {
	now := time.Now().UTC()
	r := Referral{Status: ReferralAccepted, Version: 3, ProviderID: "p", Note: "likes mornings",
		Client: ClientDetails{Name: "Sam", Phone: "0113 496 0000", Needs: &Needs{Support: []string{"job_search"}}}}
	if err := r.Apply(ReferralEvent{Version: 4, Erase: true, RecordedAt: now}); err != nil {
		t.Fatal(err)
	}
	if !r.Client.Empty() || r.Note != "" || r.ErasedAt == nil || r.Consent.WithdrawnAt == nil {
		t.Fatalf("details not erased: %+v", r)
	}
	if r.Status != ReferralWithdrawn || r.ProviderID != "p" || r.Events[0].Status != ReferralWithdrawn {
		t.Fatalf("after erase: status %s provider %q", r.Status, r.ProviderID)
	}
}

// TestApplyEraseClearsReasons: a decline reason may name a condition, so
// erasure clears the referral's reason and every event's.
func TestApplyEraseClearsReasons(t *testing.T) {
	now := time.Now().UTC()
	r := Referral{Status: ReferralAcknowledged, Version: 2, ProviderID: "p",
		Events: []ReferralEvent{{Version: 1, Status: ReferralSent}, {Version: 2, Status: ReferralAcknowledged, Reason: "spoke to Sam"}}}
	if err := r.Apply(ReferralEvent{Version: 3, Status: ReferralDeclined, Reason: "we cannot support psychosis"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(ReferralEvent{Version: 4, Erase: true, RecordedAt: now, Reason: "moved away"}); err != nil {
		t.Fatal(err)
	}
	if r.Reason != "" {
		t.Errorf("reason kept: %q", r.Reason)
	}
	for _, ev := range r.Events {
		if ev.Reason != "" {
			t.Errorf("event %d kept its reason %q", ev.Version, ev.Reason)
		}
	}
	if len(r.Events) != 4 || r.Events[2].Status != ReferralDeclined || r.Status != ReferralWithdrawn {
		t.Errorf("history lost: %+v", r.Events)
	}
}

func TestValidateNewReferral(t *testing.T) {
	now := time.Now()
	good := func() Referral {
		return Referral{ProviderID: NewID(), Client: ClientDetails{Name: "Sam", Phone: "0113 496 0000"}}
	}
	withConsent := func(r Referral, shares ...string) Referral {
		r.Consent = Consent{GivenBy: "client", GivenAt: now.Add(-time.Minute), Shares: shares, ProviderID: r.ProviderID}
		return r
	}
	cases := []struct {
		name   string
		r      Referral
		fields []string
	}{
		{"valid", withConsent(good(), "name", "contact"), nil},
		{"no consent", good(), []string{"consent.given_at", "consent.given_by", "consent.provider_id", "consent.shares", "client.name"}},
		{"name not agreed", withConsent(good(), "contact"), []string{"client.name"}},
		{"needs not agreed", func() Referral {
			r := withConsent(good(), "name", "contact")
			r.Client.Needs = &Needs{Support: []string{"job_search"}}
			return r
		}(), []string{"client.needs"}},
		{"consent for another provider", func() Referral {
			r := withConsent(good(), "name", "contact")
			r.Consent.ProviderID = NewID()
			return r
		}(), []string{"consent.provider_id"}},
		{"no contact", func() Referral {
			r := withConsent(good(), "name", "contact")
			r.Client.Phone = ""
			return r
		}(), []string{"client.phone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.Normalize()
			err := tc.r.ValidateNew(now)
			var got []string
			var ve *ValidationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Field)
				}
			}
			if strings.Join(sortedCopy(got), ",") != strings.Join(sortedCopy(tc.fields), ",") {
				t.Fatalf("problems on %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	// dedupe: two problems on one field count once here
	var d []string
	for i, x := range out {
		if i == 0 || x != out[i-1] {
			d = append(d, x)
		}
	}
	return d
}

func TestShortlistCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := NewShortlistCode()
		if !ValidShortlistCode(c) || seen[c] {
			t.Fatalf("code %q invalid or repeated", c)
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "ABC", "K7QX3MP0", "k7qx3mpd", "K7QX3MPDD"} {
		if ValidShortlistCode(bad) {
			t.Errorf("ValidShortlistCode(%q) = true", bad)
		}
	}
}

func TestDiffProviders(t *testing.T) {
	a := &Provider{Name: "A", Version: 1, Capacity: Capacity{TakingNewClients: true}, Languages: []string{"en"}}
	b := *a
	b.Name, b.Version = "B", 2
	b.Capacity.TakingNewClients = false
	b.Languages = []string{"en", "cy"}
	got := DiffProviders(a, &b)
	var paths []string
	for _, c := range got {
		paths = append(paths, c.Path)
	}
	want := "capacity.taking_new_clients,languages[1],name"
	if strings.Join(paths, ",") != want {
		t.Fatalf("diff paths %v, want %s", paths, want)
	}
	if got[2].From != "A" || got[2].To != "B" || got[1].From != nil || got[1].To != "cy" {
		t.Fatalf("diff values %+v", got)
	}
}

func TestTokenValidate(t *testing.T) {
	for _, tc := range []struct {
		tok Token
		ok  bool
	}{
		{Token{Name: "a", Role: RoleAdmin}, true},
		{Token{Name: "a", Role: RoleAdviser}, true},
		{Token{Name: "a", Role: RoleProviderEditor, ProviderID: NewID()}, true},
		{Token{Name: "a", Role: RoleProviderEditor}, false},
		{Token{Name: "a", Role: RoleAdviser, ProviderID: NewID()}, false},
		{Token{Name: "", Role: RoleAdmin}, false},
		{Token{Name: "a", Role: "root"}, false},
	} {
		if err := tc.tok.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", tc.tok, err, tc.ok)
		}
	}
}
