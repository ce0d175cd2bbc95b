package directory

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"time"
)

// A provider editor's change to who sees a listing, or to what it claims
// about itself, is held for an admin to approve: a self-service editor
// could otherwise make a local listing national, or claim 99 job entries
// out of 100, and the next client would see it. Everything else an editor
// writes goes live at once.

// ReviewedField is one part of a provider record that an editor's change to
// is held for review. Claim is what is compared: a field is held when the
// claim of the proposed record differs from the current one's. Copy moves
// the whole field from src to dst, which is how a held field is kept back
// from the live record and later applied onto it.
type ReviewedField struct {
	// Name is the field's JSON path, as the API and the audit name it.
	Name string
	// Why says in plain English why it is reviewed.
	Why   string
	claim func(*Provider) any
	copy  func(dst, src *Provider)
}

// ReviewedFields lists the fields an editor's change to is held for review,
// in a fixed order. Where a claim is a part of a list (the Jobcentre sites,
// the incentives' amounts), the whole list is held and applied whole, so a
// proposal can never be half applied.
var ReviewedFields = []ReviewedField{
	{Name: "type", Why: "decides which searches the listing appears in",
		claim: func(p *Provider) any { return p.Type },
		copy:  func(d, s *Provider) { d.Type = s.Type }},
	{Name: "coverage", Why: "decides where the listing is offered (national, areas, districts, radius, polygons, travel)",
		claim: func(p *Provider) any { return p.Coverage },
		copy:  func(d, s *Provider) { d.Coverage = s.Coverage }},
	{Name: "performance", Why: "outcome figures shown to clients as facts",
		claim: func(p *Provider) any { return p.Performance },
		copy:  func(d, s *Provider) { d.Performance = s.Performance }},
	{Name: "organisation.jobcentre_plus_run", Why: "claims that Jobcentre Plus itself runs the provider",
		claim: func(p *Provider) any { return p.Organisation.JobcentrePlusRun },
		copy:  func(d, s *Provider) { d.Organisation.JobcentrePlusRun = s.Organisation.JobcentrePlusRun }},
	// A site's kind "jobcentre" and its Jobcentre days claim a presence at
	// a Jobcentre; clients who asked to avoid the Jobcentre rely on them.
	// Where the listing reaches clients by a radius from its sites, or by
	// travelling from them, where the sites are decides who sees it too.
	{Name: "sites", Why: "which sites are at a Jobcentre, and on which days; and where the sites are, when coverage is measured from them",
		claim: siteClaims,
		copy:  func(d, s *Provider) { d.Sites = s.Sites }},
	{Name: "delivery_modes", Why: "whether the provider meets clients at the Jobcentre",
		claim: func(p *Provider) any { return p.HasMode(ModeJobcentre) },
		copy:  func(d, s *Provider) { d.DeliveryModes = s.DeliveryModes }},
	{Name: "incentives", Why: "money promised to clients or employers: amounts and recipients",
		claim: incentiveAmounts,
		copy:  func(d, s *Provider) { d.Incentives = s.Incentives }},
}

// siteClaims is what p's sites claim: each site at a Jobcentre, or with
// Jobcentre days, by id; and, when p's coverage is measured from its sites
// (a radius, or travelling to clients), where each site is, to about 100 m
// (so re-typing a position is not a change).
func siteClaims(p *Provider) any {
	type jobcentre struct {
		ID   string
		Days []string
	}
	type place struct {
		ID       string
		Lat, Lon float64
	}
	var out struct {
		Jobcentre []jobcentre
		Places    []place
	}
	fromSites := p.Coverage.RadiusKm > 0 || p.Coverage.TravelsToClients
	for _, s := range p.Sites {
		if s.Kind == SiteJobcentre || len(s.JobcentreDays) > 0 {
			out.Jobcentre = append(out.Jobcentre, jobcentre{s.ID, s.JobcentreDays})
		}
		if fromSites && s.Location != nil {
			out.Places = append(out.Places, place{s.ID, math.Round(s.Location.Lat*1000) / 1000, math.Round(s.Location.Lon*1000) / 1000})
		}
	}
	return out
}

// incentiveAmounts is what p's incentives promise, to whom, in order.
func incentiveAmounts(p *Provider) any {
	type claim struct {
		Kind, Recipient string
		Amount          int64
	}
	var out []claim
	for _, in := range p.Incentives {
		out = append(out, claim{in.Kind, in.Recipient, in.AmountPence})
	}
	return out
}

// ReviewedFieldNamed returns the reviewed field named name, and false if there
// is none.
func ReviewedFieldNamed(name string) (ReviewedField, bool) {
	i := slices.IndexFunc(ReviewedFields, func(f ReviewedField) bool { return f.Name == name })
	if i < 0 {
		return ReviewedField{}, false
	}
	return ReviewedFields[i], true
}

// SplitReviewed separates an editor's proposed record next from the current
// record cur: it returns the record that may go live at once (next with
// every reviewed field that differs set back to cur's) and the names of the
// reviewed fields held, in ReviewedFields order. next is not changed.
func SplitReviewed(next, cur *Provider) (live Provider, held []string) {
	live = *next
	for _, f := range ReviewedFields {
		if !sameJSON(f.claim(next), f.claim(cur)) {
			f.copy(&live, cur)
			held = append(held, f.Name)
		}
	}
	return live, held
}

// ApplyReviewed copies the named reviewed fields from proposed onto dst.
// Unknown names are ignored (a name dropped from ReviewedFields since).
func ApplyReviewed(dst, proposed *Provider, fields []string) {
	for _, name := range fields {
		if f, ok := ReviewedFieldNamed(name); ok {
			f.copy(dst, proposed)
		}
	}
}

// sameJSON compares two values through their JSON form, so that a nil and
// an empty list (which a store may return for one another) are equal.
func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) == string(jb) {
		return true
	}
	var va, vb any
	_ = json.Unmarshal(ja, &va)
	_ = json.Unmarshal(jb, &vb)
	return reflect.DeepEqual(emptyToNil(va), emptyToNil(vb))
}

func emptyToNil(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = emptyToNil(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = emptyToNil(e)
		}
	}
	return v
}

// Statuses of a pending change.
const (
	ChangePending  = "pending"
	ChangeApproved = "approved"
	ChangeRejected = "rejected"
	// ChangeSuperseded marks a proposal replaced by a newer one from the
	// same provider before anyone decided it.
	ChangeSuperseded = "superseded"
	// ChangeWithdrawn marks a proposal its provider took back before
	// anyone decided it.
	ChangeWithdrawn = "withdrawn"
)

// PendingChange is a provider editor's change to reviewed fields, held
// until an admin approves or rejects it.
type PendingChange struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	// BaseVersion is the version the editor's change was made from.
	BaseVersion int64 `json:"base_version"`
	// Fields are the reviewed fields held (see ReviewedFields).
	Fields []string `json:"fields"`
	// Proposed is the whole record as the editor proposed it; only Fields
	// are taken from it when the change is approved.
	Proposed   Provider  `json:"proposed"`
	ProposedBy Actor     `json:"proposed_by"`
	ProposedAt time.Time `json:"proposed_at"`
	Status     string    `json:"status" enums:"pending,approved,rejected,superseded,withdrawn"`
	// Reason is why it was rejected.
	Reason    string     `json:"reason,omitempty"`
	DecidedBy *Actor     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	// AppliedVersion is the provider version that made an approved change live.
	AppliedVersion int64 `json:"applied_version,omitempty"`
}

// PendingChangeFilter selects pending changes. Empty fields do not filter.
type PendingChangeFilter struct {
	Status     string
	ProviderID string
	Page       int // from 1
	PerPage    int
}

// PendingChangeStore keeps changes held for review. A provider has at most
// one change with status pending at a time.
type PendingChangeStore interface {
	// ProposeChange stores c as its provider's pending change, setting its
	// ID (when empty), ProposedAt and Status (pending). A pending change the
	// provider already had is marked superseded first; its id is returned
	// ("" when there was none).
	ProposeChange(ctx context.Context, c *PendingChange) (superseded string, err error)
	// PendingChange returns one change. ErrNotFound if there is none.
	PendingChange(ctx context.Context, id string) (*PendingChange, error)
	// PendingChanges returns a page of changes matching f, newest first,
	// and the total matching.
	PendingChanges(ctx context.Context, f PendingChangeFilter) ([]PendingChange, int64, error)
	// UpdateChangeStatus stores c's Status, Reason, DecidedBy, DecidedAt and
	// AppliedVersion if the stored change's status is still from.
	// ErrNotFound if there is none; ErrConflict if its status is not from.
	UpdateChangeStatus(ctx context.Context, c *PendingChange, from string) error
}
