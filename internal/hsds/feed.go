package hsds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	var root json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("the feed is not JSON: %w", err)
	}
	if err := d.value(root, ""); err != nil {
		return nil, nil, err
	}
	return d.records, d.notes, nil
}

type feedDecoder struct {
	records []Record
	notes   []string
	byID    map[string]int // service id -> index in records, for merging
	skipped map[string]int
}

func (d *feedDecoder) value(raw json.RawMessage, path string) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
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
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("%s: expected a JSON object or array: %v", orRoot(path), err)
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	switch {
	case has("contents"):
		return d.value(keys["contents"], join(path, "contents"))
	case has("services") && !has("status"):
		if !has("name") { // brokerfinder's feed
			return d.value(keys["services"], join(path, "services"))
		}
		// An organization with its services.
		var org Organization
		if err := json.Unmarshal(raw, &org); err != nil {
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
		if err := json.Unmarshal(raw, &sal); err != nil {
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
		if err := json.Unmarshal(raw, &svc); err != nil {
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
	out := &Imported{Notes: map[int][]Note{}, FeedNotes: notes}
	var problems []Problem
	seen := map[string]int{}
	for _, r := range recs {
		p, ns, err := Provider(&r.Service)
		if len(ns) > 0 {
			out.Notes[r.Index] = ns
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
