package hsds

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// Feed is brokerfinder's export format: a JSON object whose "services" array
// holds every provider as a fully nested HSDS-UK service.
//
//	{"services": [{"id": "…", "name": "…", "status": "active", …}, …]}
type Feed struct {
	Services []Service `json:"services"`
}

// Record is one service read from a feed.
type Record struct {
	// Index counts services in the order the feed holds them, from 0.
	Index int
	// Source is where in the file the service was, such as "contents[3]".
	Source  string
	Service Service
}

// Problem is one thing wrong with one record of a feed.
type Problem struct {
	Index   int // -1 for the whole feed
	Source  string
	ID      string
	Field   string
	Message string
}

func (p Problem) String() string {
	where := "feed"
	if p.Index >= 0 {
		where = fmt.Sprintf("record %d (%s", p.Index, p.Source)
		if p.ID != "" {
			where += ", id " + p.ID
		}
		where += ")"
	}
	if p.Field != "" {
		where += " " + p.Field
	}
	return where + ": " + p.Message
}

// FeedError lists every problem in a feed; nothing from it may be written.
type FeedError struct {
	Problems []Problem
}

func (e *FeedError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in the feed, nothing imported:\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// Is makes errors.Is(err, directory.ErrInvalid) true.
func (e *FeedError) Is(target error) bool { return target == directory.ErrInvalid }

// DecodeFeed reads the services in data, which may be: brokerfinder's Feed;
// a single service; a JSON array of services; an HSDS page envelope whose
// contents are services or service_at_locations; a service_at_location with
// its service; or an organization with its services. Service-at-location
// entries of the same service are merged into one service. Taxonomies,
// taxonomy terms and organisations without services hold no providers: they
// give no records and a note saying so.
func DecodeFeed(data []byte) ([]Record, []string, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil, errors.New("the feed is empty")
	}
	d := &feedDecoder{byID: map[string]int{}}
	if err := d.decode(data); err != nil {
		return nil, nil, err
	}
	if n := len(d.listForms); n > 0 {
		d.notes = append(d.notes, fmt.Sprintf("skipped %d list-form record(s) (%s): a list page holds only each record's brief form, "+
			"which would overwrite fuller data; import each from /oruk/services/{id}, or import an export, for full records", n, strings.Join(d.listForms, ", ")))
	}
	return d.records, d.notes, nil
}

// ListForm reports whether svc is the brief form a list page gives (the
// profile's service_list and service_at_location_list shapes): one-to-one
// fields only, with no coverage, attributes, contacts, schedules or
// languages, and locations (if any) without addresses or attributes.
// Imported as a record it would replace a full one with next to nothing.
func ListForm(svc *Service) bool {
	if len(svc.ServiceAreas) > 0 || len(svc.Attributes) > 0 || len(svc.Contacts) > 0 || len(svc.Schedules) > 0 ||
		len(svc.Languages) > 0 || len(svc.Funding) > 0 || len(svc.CostOptions) > 0 {
		return false
	}
	if o := svc.Organization; o != nil && (len(o.Attributes) > 0 || len(o.OrganizationIdentifiers) > 0) {
		return false
	}
	for _, sal := range svc.ServiceAtLocations {
		if l := sal.Location; l != nil && (len(l.Addresses) > 0 || len(l.Attributes) > 0 || len(l.Accessibility) > 0) {
			return false
		}
	}
	return true
}

type feedDecoder struct {
	// envelopes counts the wrappers around what is being read (see
	// maxEnvelopes); decoded counts the bytes handed to the JSON decoder,
	// for tests of the work done.
	envelopes int
	decoded   int
	records   []Record
	notes     []string
	byID      map[string]int // service id -> index in records, for merging
	skipped   map[string]int
	// inPage is set while reading a page envelope's contents.
	inPage    bool
	listForms []string // ids of the list-form records skipped
}

// decode checks data's size and nesting, then reads it, decoding each
// wrapper once and each record once.
func (d *feedDecoder) decode(data []byte) error {
	if err := checkBounds(data); err != nil {
		return err
	}
	if !json.Valid(data) {
		var v json.RawMessage
		return fmt.Errorf("the feed is not JSON: %w", d.unmarshal(data, &v))
	}
	return d.value(data, "")
}

// unmarshal is json.Unmarshal, counting the bytes it reads.
func (d *feedDecoder) unmarshal(raw []byte, v any) error {
	d.decoded += len(raw)
	return json.Unmarshal(raw, v)
}

// envelope reads the records inside a wrapper (a page's contents, a feed's
// services), refusing wrappers nested more than maxEnvelopes deep.
func (d *feedDecoder) envelope(raw json.RawMessage, path string) error {
	if d.envelopes >= maxEnvelopes {
		return fmt.Errorf("%s: pages or feeds nested more than %d deep", orRoot(path), maxEnvelopes)
	}
	d.envelopes++
	defer func() { d.envelopes-- }()
	return d.value(raw, path)
}

func (d *feedDecoder) value(raw json.RawMessage, path string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := d.unmarshal(raw, &items); err != nil {
			return fmt.Errorf("%s: %w", orRoot(path), err)
		}
		for i, it := range items {
			if err := d.object(it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return d.object(raw, path)
}

func orRoot(path string) string {
	if path == "" {
		return "the feed"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *feedDecoder) object(raw json.RawMessage, path string) error {
	var keys map[string]json.RawMessage
	if err := d.unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("%s: expected a JSON object or array: %v", orRoot(path), err)
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("contents"):
		// A page's entries are references to full records when they
		// are in the brief list form (add skips those).
		was := d.inPage
		d.inPage = true
		defer func() { d.inPage = was }()
		return d.envelope(keys["contents"], join(path, "contents"))
	case has("services") && !has("status"):
		if !has("name") { // brokerfinder's feed
			return d.envelope(keys["services"], join(path, "services"))
		}
		// An organization with its services.
		var org Organization
		if err := d.unmarshal(raw, &org); err != nil {
			return fmt.Errorf("%s: %v", orRoot(path), err)
		}
		services := org.Services
		org.Services = nil
		for i := range services {
			if services[i].Organization == nil {
				o := org
				services[i].Organization = &o
			}
			d.add(services[i], fmt.Sprintf("%s[%d]", join(path, "services"), i))
		}
		return nil
	case has("service") && has("location"), has("service") && has("service_id"):
		var sal ServiceAtLocation
		if err := d.unmarshal(raw, &sal); err != nil {
			return fmt.Errorf("%s: %v", orRoot(path), err)
		}
		if sal.Service == nil {
			return fmt.Errorf("%s: a service_at_location without its service", orRoot(path))
		}
		svc := *sal.Service
		sal.Service = nil
		if i, ok := d.byID[strings.ToLower(svc.ID)]; ok && svc.ID != "" {
			d.records[i].Service.ServiceAtLocations = append(d.records[i].Service.ServiceAtLocations, sal)
			return nil
		}
		svc.ServiceAtLocations = append(svc.ServiceAtLocations, sal)
		d.add(svc, path)
		return nil
	case has("status") || (has("name") && (has("service_at_locations") || has("service_areas") || has("organization"))):
		var svc Service
		if err := d.unmarshal(raw, &svc); err != nil {
			return fmt.Errorf("%s: %v", orRoot(path), err)
		}
		d.add(svc, path)
		return nil
	case has("taxonomy_terms"), has("term"), has("taxonomy"), has("parent_id"):
		d.skip("taxonomies and taxonomy terms")
		return nil
	case has("name") && has("description"):
		d.skip("organizations without services")
		return nil
	}
	return fmt.Errorf("%s: not an HSDS service, service_at_location, organization, page or feed", orRoot(path))
}

func (d *feedDecoder) add(svc Service, source string) {
	if d.inPage && ListForm(&svc) {
		if id := cmp.Or(svc.ID, orRoot(source)); !slices.Contains(d.listForms, id) {
			d.listForms = append(d.listForms, id)
		}
		return
	}
	if svc.ID != "" {
		d.byID[strings.ToLower(svc.ID)] = len(d.records)
	}
	d.records = append(d.records, Record{Index: len(d.records), Source: orRoot(source), Service: svc})
}

func (d *feedDecoder) skip(what string) {
	if d.skipped == nil {
		d.skipped = map[string]int{}
	}
	if d.skipped[what] == 0 {
		d.notes = append(d.notes, what+" hold no providers; skipped")
	}
	d.skipped[what]++
}

// Imported is a feed's providers, ready to write, with notes per record.
type Imported struct {
	Providers []directory.Provider
	// Notes says, per record index, what was defaulted or left out.
	Notes map[int][]Note
	// FeedNotes says what in the feed was skipped.
	FeedNotes []string
	// StatusChosen holds, per record index, the records whose status is
	// not the feed's but chosen by import (a draft, because the feed gave
	// no status it knows or defaults were applied). An existing record
	// keeps its own status instead: only a feed may change it.
	StatusChosen map[int]bool
}

// Import decodes a feed and maps every record to a provider. It checks every
// record and returns a *FeedError listing every problem (each with its index,
// id and field) if any record is invalid, so the caller writes all or
// nothing. Ids must not repeat.
func Import(data []byte) (*Imported, error) {
	recs, notes, err := DecodeFeed(data)
	if err != nil {
		return nil, &FeedError{Problems: []Problem{{Index: -1, Message: err.Error()}}}
	}
	out := &Imported{Notes: map[int][]Note{}, FeedNotes: notes, StatusChosen: map[int]bool{}}
	var problems []Problem
	seen := map[string]int{}
	for _, r := range recs {
		p, im, err := importProvider(&r.Service)
		if len(im.notes) > 0 {
			out.Notes[r.Index] = im.notes
		}
		if im.statusChosen {
			out.StatusChosen[r.Index] = true
		}
		prob := func(field, msg string) {
			problems = append(problems, Problem{Index: r.Index, Source: r.Source, ID: r.Service.ID, Field: field, Message: msg})
		}
		if p.ID == "" {
			prob("id", "is required, so importing again updates the same record")
		} else if j, dup := seen[p.ID]; dup {
			prob("id", fmt.Sprintf("%s is also record %d", p.ID, j))
		} else {
			seen[p.ID] = r.Index
		}
		var ve *directory.ValidationError
		if errors.As(err, &ve) {
			for _, fp := range ve.Problems {
				prob(fp.Field, fp.Message)
			}
		} else if err != nil {
			prob("", err.Error())
		}
		out.Providers = append(out.Providers, p)
	}
	if len(recs) == 0 && len(notes) == 0 {
		problems = append(problems, Problem{Index: -1, Message: "holds no services"})
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].Index < problems[j].Index })
		return nil, &FeedError{Problems: problems}
	}
	return out, nil
}
