package service

import (
	"context"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/geo"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// Match ranks every eligible provider for q and returns the page q asks
// for, recording that page as shown for the fairness reports. Errors:
// ErrUnavailable until the search copies are loaded; a
// *directory.ValidationError; a *directory.PlaceError.
func (s *Service) Match(ctx context.Context, q finder.MatchQuery) (match.Result, geo.Place, error) {
	if err := s.Ready(); err != nil {
		return match.Result{}, geo.Place{}, err
	}
	res, place, err := s.finder.Match(ctx, q)
	if err != nil {
		return res, place, err
	}
	s.recordMatch(ctx, place, q.Needs, res, "")
	return res, place, nil
}

// maxMatchAll bounds how many providers MatchAll gathers; a place has tens
// at most, so this only guards against a pathological directory.
const maxMatchAll = 2000

// MatchAll is Match gathering every page, for pages that list the whole
// ranking and page it themselves (the public page). Every provider it
// returns is recorded as shown once.
func (s *Service) MatchAll(ctx context.Context, q finder.MatchQuery) (match.Result, geo.Place, error) {
	if err := s.Ready(); err != nil {
		return match.Result{}, geo.Place{}, err
	}
	q.Page, q.PerPage = 1, directory.MaxPerPage
	res, place, err := s.finder.Match(ctx, q)
	if err != nil {
		return res, place, err
	}
	for len(res.Results) < res.Total && len(res.Results) < maxMatchAll {
		q.Page++
		more, _, err := s.finder.Match(ctx, q)
		if err != nil {
			return res, place, err
		}
		if len(more.Results) == 0 {
			break
		}
		res.Results = append(res.Results, more.Results...)
	}
	s.recordMatch(ctx, place, q.Needs, res, "")
	return res, place, nil
}

// Area is where a match was made, as coarse as the reports need: the
// postcode district, else the town; never a full postcode.
func Area(p geo.Place) string {
	switch {
	case p.District != "":
		return p.District
	case p.Town != "":
		return strings.ToLower(p.Town)
	}
	return "unknown"
}

// recordMatch queues the fairness counts for a match that was shown: each
// provider in the ranked page shown (and in the top three), the chosen one
// chosen; and, when nothing fitted, each stated need as unmet in the area.
// The recorder counts each once a day for the client in ctx (WithClient),
// so the public page re-posting a search to page or refine it, or anyone
// repeating one, counts what a client saw, not how often they asked.
func (s *Service) recordMatch(ctx context.Context, place geo.Place, needs directory.Needs, res match.Result, chosen string) {
	if s.recorder == nil {
		return
	}
	a := Area(place)
	exp := make([]directory.ExposureCount, 0, len(res.Results))
	for _, r := range res.Results {
		e := directory.ExposureCount{Area: a, ProviderID: r.Provider.ID, Shown: 1}
		if r.Rank <= 3 {
			e.Top3 = 1
		}
		if r.Provider.ID == chosen {
			e.Chosen = 1
		}
		exp = append(exp, e)
	}
	for _, r := range res.OtherProvision {
		if r.Provider.ID == chosen {
			exp = append(exp, directory.ExposureCount{Area: a, ProviderID: chosen, Chosen: 1})
		}
	}
	var unmet []directory.UnmetNeedCount
	if res.NoGoodFit {
		unmet = append(unmet, directory.UnmetNeedCount{Area: a, Need: directory.UnmetNeedMatches, Count: 1})
		for _, n := range directory.NeedCodes(needs) {
			unmet = append(unmet, directory.UnmetNeedCount{Area: a, Need: n, Count: 1})
		}
	}
	s.recorder.Record(ClientFrom(ctx), s.now(), exp, unmet)
}

// CountingMethod says how the fairness counts are made, for readers of
// the reports.
const CountingMethod = "Counts are of distinct clients a day, not of requests: a client shown a provider in an area " +
	"adds 1 to shown (and to top3, and to chosen) once a UTC day, however often they repeat, page or refine the search. " +
	"Clients are told apart by a keyed hash of their network address, held in memory only for the day and never stored, " +
	"so several people behind one address (an office) count once, and each server counts apart. Unmet-need counts are made the same way."

// ExposureTotals is the fairness report: the totals, and what this server
// could not count.
type ExposureTotals struct {
	Counts []directory.ExposureCount
	// Dropped counts observations dropped because the recorder's queue was
	// full or it held as many sums as one write takes.
	Dropped int64
	// Capped counts counts not made because the day's memory of which
	// client was counted for what was full.
	Capped int64
}

// Exposure returns the fairness totals for an area ("" for all), with the
// counts still queued written first, and how many this server could not
// count.
func (s *Service) Exposure(ctx context.Context, area string) (ExposureTotals, error) {
	var t ExposureTotals
	if s.recorder != nil {
		_ = s.recorder.Flush(ctx)
		t.Dropped, t.Capped = s.recorder.Dropped(), s.recorder.Capped()
	}
	var err error
	t.Counts, err = s.store.Exposure(ctx, area)
	return t, err
}

// UnmetNeed returns the unmet-need totals for an area ("" for all), with
// the counts still queued written first.
func (s *Service) UnmetNeed(ctx context.Context, area string) ([]directory.UnmetNeedCount, error) {
	if s.recorder != nil {
		_ = s.recorder.Flush(ctx)
	}
	return s.store.UnmetNeed(ctx, area)
}

// ShortlistRequest is a shortlist to save: the match the adviser showed,
// the provider the client chose (if any) and the adviser's note.
type ShortlistRequest struct {
	Query            finder.MatchQuery
	ChosenProviderID string
	Note             string
}

// SaveShortlist runs req's match, as Match does, and saves what it showed
// under a new code, for the adviser in ctx. Errors from the match name
// their fields under "query.".
func (s *Service) SaveShortlist(ctx context.Context, req ShortlistRequest) (*directory.Shortlist, error) {
	if err := s.Ready(); err != nil {
		return nil, err
	}
	req.Note = strings.TrimSpace(req.Note)
	if len(req.Note) > directory.MaxNote {
		return nil, directory.Invalid("note", "must be at most %d characters", directory.MaxNote)
	}
	res, place, err := s.finder.Match(ctx, req.Query)
	if err != nil {
		return nil, renamePrefix(err, "query.")
	}
	a, _ := directory.ActorFrom(ctx)
	sl := directory.Shortlist{District: Area(place), Total: res.Total, NoGoodFit: res.NoGoodFit,
		ChosenProviderID: strings.TrimSpace(req.ChosenProviderID), Note: req.Note, CreatedBy: a.ID}
	for _, r := range res.Results {
		sl.Items = append(sl.Items, shortlistItem(r, false))
	}
	for _, r := range res.OtherProvision {
		sl.Items = append(sl.Items, shortlistItem(r, true))
	}
	if sl.Items == nil {
		sl.Items = []directory.ShortlistItem{}
	}
	if sl.ChosenProviderID != "" && !shown(sl.Items, sl.ChosenProviderID) {
		return nil, directory.Invalid("chosen_provider_id", "must be one of the providers shown")
	}
	if err := s.store.CreateShortlist(ctx, &sl); err != nil {
		return nil, err
	}
	s.recordMatch(ctx, place, req.Query.Needs, res, sl.ChosenProviderID)
	s.audit(ctx, "shortlist.create", "shortlist", sl.Code, 0)
	return &sl, nil
}

func shortlistItem(r match.Ranked, other bool) directory.ShortlistItem {
	flags := make([]string, len(r.Flags))
	for i, f := range r.Flags {
		flags[i] = f.Code
	}
	// Only who and in what order: the explanation and score are made from
	// the client's needs, and anyone with the code can read a shortlist.
	return directory.ShortlistItem{ProviderID: r.Provider.ID, Name: r.Provider.Name, Rank: r.Rank,
		Flags: flags, OtherProvision: other}
}

func shown(items []directory.ShortlistItem, id string) bool {
	for _, it := range items {
		if it.ProviderID == id {
			return true
		}
	}
	return false
}

// renamePrefix puts prefix before every field a validation error names, so
// problems inside a nested query point at the right place.
func renamePrefix(err error, prefix string) error {
	switch e := err.(type) {
	case *directory.ValidationError:
		out := &directory.ValidationError{Problems: make([]directory.FieldProblem, len(e.Problems))}
		for i, p := range e.Problems {
			out.Problems[i] = directory.FieldProblem{Field: prefix + p.Field, Message: p.Message}
		}
		return out
	case *directory.PlaceError:
		return &directory.PlaceError{Field: prefix + e.Field, Message: e.Message}
	}
	return err
}
