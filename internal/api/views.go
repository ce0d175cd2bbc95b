package api

import (
	"fmt"
	"sync"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// ProviderSummary is what a search or match result shows of a provider;
// GET /v1/providers/{id} has the whole record.
type ProviderSummary struct {
	ID            string             `json:"id"`
	Name          string             `json:"name"`
	Type          string             `json:"type" example:"job_broker"`
	TypeLabel     string             `json:"type_label" example:"Job Broker"`
	Status        string             `json:"status" example:"published"`
	Summary       string             `json:"summary,omitempty"`
	Sector        string             `json:"sector" example:"voluntary"`
	Website       string             `json:"website,omitempty"`
	DeliveryModes []string           `json:"delivery_modes"`
	Specialisms   []string           `json:"specialisms"`
	ServesOnly    []string           `json:"serves_only,omitempty"`
	ServiceModel  string             `json:"service_model,omitempty"`
	Registration  string             `json:"registration_approach,omitempty"`
	Contact       directory.Contact  `json:"contact"`
	Incentives    []IncentiveView    `json:"incentives"`
	Capacity      directory.Capacity `json:"capacity"`
	LastVerified  directory.Date     `json:"last_verified"`
	// URL is the whole record in the API.
	URL string `json:"url" example:"/v1/providers/2c74d1d5-4f78-41c0-89be-041d2ac9ff5e"`
} // @name ProviderSummary

// IncentiveView is money a provider may pay, described so nobody mistakes a
// discretionary payment for an automatic one (report §6.3.3).
type IncentiveView struct {
	Kind          string `json:"kind" example:"job_entry_payment"`
	Label         string `json:"label" example:"Payment when you start work"`
	Recipient     string `json:"recipient" example:"client"`
	AmountPence   int64  `json:"amount_pence,omitempty" example:"10000"`
	Trigger       string `json:"trigger"`
	Discretionary bool   `json:"discretionary"`
	// Text says it all in one sentence.
	Text string `json:"text" example:"Up to £100 when you start a job of 16 hours or more, at the provider's discretion (not automatic)"`
} // @name IncentiveView

func summarise(p *directory.Provider) ProviderSummary {
	s := ProviderSummary{
		ID: p.ID, Name: p.Name, Type: p.Type, Status: p.Status, Summary: p.Summary,
		TypeLabel:     directory.MustVocabulary(directory.VocabProviderTypes).Label(p.Type),
		Sector:        p.Organisation.Sector,
		Website:       p.Organisation.Website,
		DeliveryModes: nonNil(p.DeliveryModes),
		Specialisms:   nonNil(p.Specialisms),
		ServesOnly:    p.ServesOnly,
		ServiceModel:  p.ServiceModel,
		Registration:  p.RegistrationApproach,
		Contact:       p.Contact,
		Incentives:    incentiveViews(p.Incentives),
		Capacity:      p.Capacity,
		LastVerified:  p.Freshness.LastVerified,
		URL:           "/v1/providers/" + p.ID,
	}
	return s
}

func incentiveViews(list []directory.Incentive) []IncentiveView {
	kinds := directory.MustVocabulary(directory.VocabIncentiveKinds)
	out := make([]IncentiveView, len(list))
	for i, in := range list {
		out[i] = IncentiveView{
			Kind: in.Kind, Label: kinds.Label(in.Kind), Recipient: in.Recipient,
			AmountPence: in.AmountPence, Trigger: in.Trigger, Discretionary: in.Discretionary,
			Text: IncentiveText(in),
		}
	}
	return out
}

// IncentiveText describes an incentive in one plain sentence, amount,
// trigger and whether it is automatic.
func IncentiveText(in directory.Incentive) string {
	incentiveTexts.RLock()
	s, ok := incentiveTexts.m[in]
	incentiveTexts.RUnlock()
	if ok {
		return s
	}
	s = incentiveText(in)
	incentiveTexts.Lock()
	defer incentiveTexts.Unlock()
	if len(incentiveTexts.m) >= maxIncentiveTexts {
		clear(incentiveTexts.m)
	}
	incentiveTexts.m[in] = s
	return s
}

// incentiveTexts remembers IncentiveText's sentences: a page of twenty
// providers describes forty or so incentives, and writing them afresh
// (formatting, joining) was a fifth of what a search allocated. Far fewer
// incentives differ than providers have; when the memory is full it starts
// again.
var incentiveTexts = struct {
	sync.RWMutex
	m map[directory.Incentive]string
}{m: map[directory.Incentive]string{}}

const maxIncentiveTexts = 8192

func incentiveText(in directory.Incentive) string {
	label := directory.MustVocabulary(directory.VocabIncentiveKinds).Label(in.Kind)
	s := label
	if in.AmountPence > 0 {
		s = fmt.Sprintf("%s: up to %s", label, pounds(in.AmountPence))
	}
	if in.Trigger != "" {
		s += ", " + directory.LowerFirst(in.Trigger)
	}
	if in.Discretionary {
		return s + ". At the provider's discretion: not automatic"
	}
	return s + ". Paid to everyone who qualifies"
}

func pounds(pence int64) string {
	if pence%100 == 0 {
		return fmt.Sprintf("£%d", pence/100)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PlaceView is where a match or search was made, as resolved.
type PlaceView struct {
	Lat      float64 `json:"lat" example:"53.8195"`
	Lon      float64 `json:"lon" example:"-1.5741"`
	Postcode string  `json:"postcode,omitempty" example:"LS6 1AN"`
	District string  `json:"district,omitempty" example:"LS6"`
	Town     string  `json:"town,omitempty" example:"Leeds"`
	// Source says how the place was found: postcode_file, http, builtin or
	// coordinates; unknown_area for a postcode of an area not known yet
	// (lat and lon are then 0 and mean nothing).
	Source string `json:"source" example:"builtin"`
} // @name Place

func placeView(p geo.Place) PlaceView {
	return PlaceView{Lat: p.Lat, Lon: p.Lon, Postcode: p.Postcode, District: p.District, Town: p.Town, Source: p.Source}
}

// MatchResult is one provider in a shortlist: a summary, its rank and score,
// distance, and why, in plain English.
type MatchResult struct {
	Provider ProviderSummary `json:"provider"`
	match.Ranked
} // @name MatchResult

func matchResults(rs []match.Ranked) []MatchResult {
	out := make([]MatchResult, len(rs))
	for i, r := range rs {
		out[i] = MatchResult{Provider: summarise(r.Provider), Ranked: r}
	}
	return out
}
