package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// DefaultHTTPTimeout bounds a whole request to the postcode service when
// Config.HTTPClient is nil: a slow service must not hold up a search.
const DefaultHTTPTimeout = 3 * time.Second

// maxBody caps the response read from the postcode service; a postcodes.io
// answer is about 2 KiB.
const maxBody = 64 << 10

// Remote is a Geocoder over a postcodes.io-compatible HTTP service:
// GET {base}/postcodes/{postcode} and GET {base}/outcodes/{outcode}.
// A 404 (or a result with no position) is directory.ErrNotFound; any other
// failure (a network error, a timeout, another status, a body that is too
// large or not the expected JSON) is directory.ErrUnavailable.
//
// Remote does not resolve towns (Town returns directory.ErrNotFound, so New
// asks the built-in table): a name search such as postcodes.io's /places
// returns the first of many same-named places ("Newcastle" in Staffordshire),
// which is worse than no answer. Nearest knows no districts and returns only
// the point.
type Remote struct {
	base   string
	client *http.Client
}

// NewRemote returns a Remote for the service at baseURL (such as
// "https://api.postcodes.io"). A nil client means one with
// DefaultHTTPTimeout.
func NewRemote(baseURL string, client *http.Client) (*Remote, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL", baseURL)
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	return &Remote{base: strings.TrimRight(baseURL, "/"), client: client}, nil
}

// Postcode resolves a full postcode or outward code through the service,
// placing a full postcode it does not know at its district's centre. See
// Geocoder for the errors.
func (r *Remote) Postcode(ctx context.Context, postcode string) (Place, error) {
	return resolvePostcode(ctx, []source{r}, postcode)
}

// Town validates name and returns directory.ErrNotFound: Remote does not
// resolve towns.
func (r *Remote) Town(ctx context.Context, name string) (Place, error) {
	return resolveTown(ctx, []source{r}, name)
}

// Nearest returns the point with no district: Remote knows none.
func (r *Remote) Nearest(_ context.Context, lat, lon float64) (Place, error) {
	return resolveNearest(nil, lat, lon)
}

func (r *Remote) exact(ctx context.Context, full string) (Place, error) {
	var res struct {
		Latitude      *float64 `json:"latitude"`
		Longitude     *float64 `json:"longitude"`
		Outcode       string   `json:"outcode"`
		AdminDistrict string   `json:"admin_district"`
	}
	if err := r.get(ctx, "/postcodes/"+url.PathEscape(full), &res); err != nil {
		return Place{}, err
	}
	if res.Latitude == nil || res.Longitude == nil {
		// postcodes.io gives null positions for postcodes with no grid reference.
		return Place{}, fmt.Errorf("geo: postcode %s has no position: %w", full, directory.ErrNotFound)
	}
	return Place{
		Lat: *res.Latitude, Lon: *res.Longitude, Postcode: full,
		District: full[:strings.IndexByte(full, ' ')], Town: res.AdminDistrict, Source: SourceHTTP,
	}, nil
}

func (r *Remote) district(ctx context.Context, code string) (Place, error) {
	var res struct {
		Latitude      *float64 `json:"latitude"`
		Longitude     *float64 `json:"longitude"`
		AdminDistrict []string `json:"admin_district"`
	}
	if err := r.get(ctx, "/outcodes/"+url.PathEscape(code), &res); err != nil {
		return Place{}, err
	}
	if res.Latitude == nil || res.Longitude == nil {
		return Place{}, fmt.Errorf("geo: postcode district %s has no position: %w", code, directory.ErrNotFound)
	}
	p := Place{Lat: *res.Latitude, Lon: *res.Longitude, District: code, Source: SourceHTTP}
	if len(res.AdminDistrict) > 0 {
		p.Town = res.AdminDistrict[0]
	}
	return p, nil
}

func (r *Remote) town(context.Context, string) (Place, error) {
	return Place{}, fmt.Errorf("geo: the postcode service does not look up towns: %w", directory.ErrNotFound)
}

// get fetches base+path and decodes the "result" member of the JSON body
// into result, translating every failure into a domain error.
func (r *Remote) get(ctx context.Context, path string, result any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return fmt.Errorf("%w: geo: postcode service request: %w", directory.ErrUnavailable, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "brokerfinder")
	resp, err := r.client.Do(req)
	if err != nil {
		// Wrapping err keeps context.DeadlineExceeded and context.Canceled
		// visible to callers as well.
		return fmt.Errorf("%w: geo: postcode service: %w", directory.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("geo: postcode service: %s: %w", path, directory.ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: geo: postcode service: status %d", directory.ErrUnavailable, resp.StatusCode)
	case err != nil:
		return fmt.Errorf("%w: geo: postcode service: reading the answer: %w", directory.ErrUnavailable, err)
	case len(body) > maxBody:
		return fmt.Errorf("%w: geo: postcode service: answer larger than %d bytes", directory.ErrUnavailable, maxBody)
	}
	var env struct {
		Status int             `json:"status"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%w: geo: postcode service: bad JSON: %w", directory.ErrUnavailable, err)
	}
	switch {
	case env.Status == http.StatusNotFound || string(env.Result) == "null":
		return fmt.Errorf("geo: postcode service: %s: no result: %w", path, directory.ErrNotFound)
	case len(env.Result) == 0:
		return fmt.Errorf("%w: geo: postcode service: answer has no result", directory.ErrUnavailable)
	}
	if err := json.Unmarshal(env.Result, result); err != nil {
		return fmt.Errorf("%w: geo: postcode service: bad JSON result: %w", directory.ErrUnavailable, err)
	}
	return nil
}
