package finder

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/hsds"
	"github.com/brokerfinder/brokerfinder/internal/match"
)

// ORUKQuery is one Open Referral UK list request, already validated.
type ORUKQuery struct {
	Filter hsds.Filter
	// Near, when set, keeps the providers whose coverage includes the
	// place, by the rule a match applies (Catalogue.Covering).
	Near *match.Location
	// ProximityKm, with Near, keeps only the sites that close to the place
	// (services at locations; a service is kept when any site is).
	ProximityKm float64
	Page        int // from 1
	PerPage     int
}

// SiteRef is one service at a location: a provider and the index of one of
// its sites.
type SiteRef struct {
	Provider *directory.Provider
	Site     int
}

// Organization is one organisation: its id and its providers, by name.
type Organization struct {
	ID        string
	Providers []*directory.Provider
}

// orukView indexes the catalogue's providers by their HSDS ids and keeps
// them in list order (name, then id), so a lookup is a map read and an
// unfiltered page a slice, whatever the size of the directory. The finder
// updates it with the catalogue, under the finder's write lock; the records
// are the catalogue's and are never changed.
type orukView struct {
	mu       sync.RWMutex
	services map[string]*directory.Provider
	sals     map[string]SiteRef
	orgs     map[string][]*directory.Provider // by name, then id
	order    []*directory.Provider            // by name, then id
	sites    int                              // sites of every provider in order
	orgOrder []string                         // organisation ids by name, then id; nil when stale
}

func newORUKView() *orukView {
	return &orukView{services: map[string]*directory.Provider{}, sals: map[string]SiteRef{}, orgs: map[string][]*directory.Provider{}}
}

func byNameID(a, b *directory.Provider) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
}

// put replaces old (nil if the catalogue held none) by p (nil, or a draft,
// to remove it).
func (v *orukView) put(old, p *directory.Provider) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if old != nil {
		delete(v.services, hsds.ServiceID(old))
		for i := range old.Sites {
			delete(v.sals, hsds.ServiceAtLocationID(old, &old.Sites[i]))
		}
		oid := hsds.OrganizationID(old)
		if g := deleteSorted(v.orgs[oid], old); len(g) > 0 {
			v.orgs[oid] = g
		} else {
			delete(v.orgs, oid)
		}
		v.order = deleteSorted(v.order, old)
		v.sites -= len(old.Sites)
		v.orgOrder = nil
	}
	if p == nil || !p.Visible() {
		return
	}
	oid := v.addIDs(p)
	v.orgs[oid] = insertSorted(v.orgs[oid], p)
	v.order = insertSorted(v.order, p)
	v.sites += len(p.Sites)
	v.orgOrder = nil
}

// addIDs files p under its service id and each of its locations' ids, and
// returns its organisation's id, which put and load file it under in their
// own order.
func (v *orukView) addIDs(p *directory.Provider) string {
	v.services[hsds.ServiceID(p)] = p
	for i := range p.Sites {
		v.sals[hsds.ServiceAtLocationID(p, &p.Sites[i])] = SiteRef{p, i}
	}
	return hsds.OrganizationID(p)
}

// load fills an empty view with the visible providers among ps, sorting
// once rather than inserting each in turn.
func (v *orukView) load(ps []*directory.Provider) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, p := range ps {
		if !p.Visible() {
			continue
		}
		oid := v.addIDs(p)
		v.orgs[oid] = append(v.orgs[oid], p)
		v.order = append(v.order, p)
		v.sites += len(p.Sites)
	}
	slices.SortFunc(v.order, byNameID)
	for _, g := range v.orgs {
		slices.SortFunc(g, byNameID)
	}
	v.orgOrder = nil
}

func insertSorted(ps []*directory.Provider, p *directory.Provider) []*directory.Provider {
	i, _ := slices.BinarySearchFunc(ps, p, byNameID)
	return slices.Insert(ps, i, p)
}

func deleteSorted(ps []*directory.Provider, p *directory.Provider) []*directory.Provider {
	if i, ok := slices.BinarySearchFunc(ps, p, byNameID); ok {
		return slices.Delete(ps, i, i+1)
	}
	return ps
}

// organisations returns the organisation ids in list order, sorting them
// again only after a change.
func (v *orukView) organisations() []string {
	v.mu.RLock()
	if o := v.orgOrder; o != nil {
		v.mu.RUnlock()
		return o
	}
	v.mu.RUnlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.orgOrder == nil {
		o := make([]string, 0, len(v.orgs))
		for id := range v.orgs {
			o = append(o, id)
		}
		name := func(id string) string { return hsds.OrganizationName(v.orgs[id][0]) }
		slices.SortFunc(o, func(a, b string) int { return cmp.Or(strings.Compare(name(a), name(b)), strings.Compare(a, b)) })
		v.orgOrder = o
	}
	return v.orgOrder
}

// ORUKService returns the visible provider whose HSDS service has the id.
func (f *Finder) ORUKService(id string) (*directory.Provider, bool) {
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	p, ok := f.oruk.services[strings.ToLower(id)]
	return p, ok
}

// ORUKServiceAtLocation returns the visible provider and site whose HSDS
// service at location has the id.
func (f *Finder) ORUKServiceAtLocation(id string) (SiteRef, bool) {
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	r, ok := f.oruk.sals[strings.ToLower(id)]
	return r, ok
}

// ORUKOrganization returns the organisation with the HSDS id and its
// visible providers.
func (f *Finder) ORUKOrganization(id string) (Organization, bool) {
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	ps, ok := f.oruk.orgs[strings.ToLower(id)]
	return Organization{ID: id, Providers: slices.Clone(ps)}, ok
}

// ORUKOrganizations returns page (from 1) of the organisations with a
// visible provider, perPage at a time, by name then id, and how many there
// are.
func (f *Finder) ORUKOrganizations(page, perPage int) ([]Organization, int) {
	ids := f.oruk.organisations()
	from := min(max(page-1, 0)*perPage, len(ids))
	ids = ids[from:min(from+perPage, len(ids))]
	out := make([]Organization, 0, len(ids))
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	for _, id := range ids {
		// A write since the ids were read may have emptied one.
		if ps, ok := f.oruk.orgs[id]; ok {
			out = append(out, Organization{ID: id, Providers: slices.Clone(ps)})
		}
	}
	return out, len(f.oruk.organisations())
}

// ORUKServices returns page q.Page of the visible providers passing q, by
// name then id, and how many pass. With a place it reads only the providers
// covering it; without filters it reads only the page.
func (f *Finder) ORUKServices(q ORUKQuery) ([]*directory.Provider, int) {
	from := max(q.Page-1, 0) * q.PerPage
	if q.Near != nil {
		var kept []*directory.Provider
		f.covering(q, func(p *directory.Provider) {
			if q.Filter.KeepService(p) && (q.ProximityKm == 0 || f.anySiteWithin(p, q)) {
				kept = append(kept, p)
			}
		})
		slices.SortFunc(kept, byNameID)
		from = min(from, len(kept))
		return kept[from:min(from+q.PerPage, len(kept))], len(kept)
	}
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	all := f.oruk.order
	if q.Filter.Empty() {
		from = min(from, len(all))
		return slices.Clone(all[from:min(from+q.PerPage, len(all))]), len(all)
	}
	var page []*directory.Provider
	total := 0
	for _, p := range all {
		if q.Filter.KeepService(p) {
			if total >= from && len(page) < q.PerPage {
				page = append(page, p)
			}
			total++
		}
	}
	return page, total
}

// ORUKServiceAtLocations returns page q.Page of the visible providers'
// sites passing q, in the providers' order (name, then id) and each
// provider's order of sites, and how many pass.
func (f *Finder) ORUKServiceAtLocations(q ORUKQuery) ([]SiteRef, int) {
	from := max(q.Page-1, 0) * q.PerPage
	var page []SiteRef
	total := 0
	add := func(p *directory.Provider) {
		for i := range p.Sites {
			if !q.Filter.KeepServiceAtLocation(p, &p.Sites[i]) || (q.ProximityKm > 0 && !within(&p.Sites[i], q)) {
				continue
			}
			if total >= from && len(page) < q.PerPage {
				page = append(page, SiteRef{p, i})
			}
			total++
		}
	}
	if q.Near != nil {
		var covering []*directory.Provider
		f.covering(q, func(p *directory.Provider) { covering = append(covering, p) })
		slices.SortFunc(covering, byNameID)
		for _, p := range covering {
			add(p)
		}
		return page, total
	}
	f.oruk.mu.RLock()
	defer f.oruk.mu.RUnlock()
	if q.Filter.Empty() {
		// Only the providers before the page are counted, by their sites.
		total = f.oruk.sites
		skip := from
		for _, p := range f.oruk.order {
			if len(page) == q.PerPage {
				break
			}
			for i := range p.Sites {
				if skip > 0 {
					skip--
					continue
				}
				if len(page) < q.PerPage {
					page = append(page, SiteRef{p, i})
				}
			}
		}
		return page, total
	}
	for _, p := range f.oruk.order {
		add(p)
	}
	return page, total
}

// covering calls fn for every visible provider covering q.Near.
func (f *Finder) covering(q ORUKQuery, fn func(*directory.Provider)) {
	f.cat.Covering(*q.Near, fn)
}

func (f *Finder) anySiteWithin(p *directory.Provider, q ORUKQuery) bool {
	for i := range p.Sites {
		if within(&p.Sites[i], q) {
			return true
		}
	}
	return false
}

// within reports whether a located site is within q.ProximityKm of q.Near.
func within(s *directory.Site, q ORUKQuery) bool {
	return s.Location != nil && directory.DistanceKm(q.Near.Point, *s.Location) <= q.ProximityKm
}
