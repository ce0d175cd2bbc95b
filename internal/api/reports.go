package api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/service"
)

// StaleProvider is a listing not confirmed for a while.
type StaleProvider struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Status       string         `json:"status"`
	LastVerified directory.Date `json:"last_verified"`
	VerifiedBy   string         `json:"verified_by"`
	// DaysSinceVerified is null for a listing never verified.
	DaysSinceVerified *int `json:"days_since_verified"`
} // @name StaleProvider

// StaleList is every listing (not ended) unverified for longer than months.
type StaleList struct {
	Months int             `json:"months"`
	Total  int             `json:"total"`
	Items  []StaleProvider `json:"items"`
} // @name StaleList

// listStale godoc
//
//	@Summary		Listings not verified recently
//	@Description	Role rule: admin only. Every listing that is not ended and was last verified more than months ago (default 6, the age at which provider JSON says verification_overdue), oldest first; never-verified listings first of all.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Param			months	query		int	false	"Older than this many months"	default(6)
//	@Success		200		{object}	StaleList
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/v1/admin/stale [get]
func (s *Server) listStale(c *gin.Context) error {
	months, p := queryInt(c, "months", directory.VerificationOverdueMonths, 1, 120)
	if p != nil {
		return &directory.ValidationError{Problems: []directory.FieldProblem{*p}}
	}
	now := s.now()
	items := []StaleProvider{}
	err := s.store.EachProvider(c.Request.Context(), func(p *directory.Provider) error {
		if p.Status == directory.StatusEnded || !p.VerifiedBefore(now, months) {
			return nil
		}
		sp := StaleProvider{ID: p.ID, Name: p.Name, Status: p.Status, LastVerified: p.Freshness.LastVerified, VerifiedBy: p.Freshness.VerifiedBy}
		if d, ok := p.DaysSinceVerified(now); ok {
			sp.DaysSinceVerified = &d
		}
		items = append(items, sp)
		return nil
	})
	if err != nil {
		return err
	}
	age := func(sp StaleProvider) int {
		if sp.DaysSinceVerified == nil {
			return 1 << 30
		}
		return *sp.DaysSinceVerified
	}
	sort.Slice(items, func(i, j int) bool {
		if a, b := age(items[i]), age(items[j]); a != b {
			return a > b
		}
		return items[i].ID < items[j].ID
	})
	writeJSON(c, http.StatusOK, StaleList{Months: months, Total: len(items), Items: items})
	return nil
}

// ExposureRow is how often one provider was shown, shown in the top three
// and chosen in one area.
type ExposureRow struct {
	directory.ExposureCount
	Name string `json:"name"`
} // @name ExposureRow

// ExposureReport is the fairness report.
type ExposureReport struct {
	Area  string        `json:"area,omitempty"`
	Items []ExposureRow `json:"items"`
	// Counting says how the counts are made: distinct clients a day, not
	// requests.
	Counting string `json:"counting" example:"Counts are of distinct clients a day, not of requests: …"`
	// Dropped counts observations this server dropped (since it started)
	// because its queue was full or it already held as many sums as it
	// writes at once: if not zero, counts are low.
	Dropped int64 `json:"dropped"`
	// Capped is how many counts this server did not make (since it started)
	// because its memory of which clients it had counted that day was
	// full: if not zero, counts are low.
	Capped int64 `json:"capped"`
} // @name ExposureReport

// exposureReport godoc
//
//	@Summary		How often each provider was shown and chosen
//	@Description	Role rule: admin only. Per area (postcode district, or town) and provider: how many matches showed it, showed it in the top three, and how often a client chose it on a saved shortlist. A provider chosen far more often than its showing explains is a sign of steering. Counts are of distinct clients a day, not requests: a client (told apart by a keyed hash of its address, held in memory for the day, never stored) adds at most 1 a UTC day to each count of a provider in an area, however often it repeats, pages or refines a search or saves shortlists; "counting" says so in the report. No personal data.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Param			area	query		string	false	"Postcode district (LS6) or town; all areas if empty"
//	@Success		200		{object}	ExposureReport
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/v1/admin/exposure [get]
func (s *Server) exposureReport(c *gin.Context) error {
	a := reportArea(c)
	tot, err := s.svc.Exposure(c.Request.Context(), a)
	if err != nil {
		return err
	}
	rows := make([]ExposureRow, len(tot.Counts))
	for i, e := range tot.Counts {
		rows[i] = ExposureRow{ExposureCount: e}
		if s.finder != nil {
			if p, ok := s.finder.Provider(e.ProviderID); ok {
				rows[i].Name = p.Name
			}
		}
	}
	writeJSON(c, http.StatusOK, ExposureReport{Area: a, Items: rows, Counting: service.CountingMethod, Dropped: tot.Dropped, Capped: tot.Capped})
	return nil
}

// UnmetNeedReport lists, per area and stated need, how many matches found
// no good fit.
type UnmetNeedReport struct {
	Area  string                     `json:"area,omitempty"`
	Items []directory.UnmetNeedCount `json:"items"`
} // @name UnmetNeedReport

// unmetNeedReport godoc
//
//	@Summary		Needs that found no good fit, by area
//	@Description	Role rule: admin only. Per area and need code ("money_help:debt", "severe_or_fluctuating"), how many clients a day found no provider meeting most of what was asked, counted like the exposure report (a client repeating a search counts once a UTC day); the need "_matches" counts those clients. Counts only: no personal data.
//	@Tags			admin
//	@Produce		json
//	@Security		BearerToken
//	@Param			area	query		string	false	"Postcode district (LS6) or town; all areas if empty"
//	@Success		200		{object}	UnmetNeedReport
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/v1/admin/unmet-need [get]
func (s *Server) unmetNeedReport(c *gin.Context) error {
	a := reportArea(c)
	counts, err := s.svc.UnmetNeed(c.Request.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, UnmetNeedReport{Area: a, Items: counts})
	return nil
}

// reportArea reads the area filter in the form the recorder stores it:
// districts upper case, towns lower case.
func reportArea(c *gin.Context) string {
	a := strings.TrimSpace(c.Query("area"))
	if up := strings.ToUpper(a); up != "" && up[len(up)-1] >= '0' && up[len(up)-1] <= '9' {
		return up
	}
	return strings.ToLower(a)
}
