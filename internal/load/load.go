// Package load drives a running brokerfinder over HTTP with a realistic mix
// of requests and reports latency percentiles and throughput. Each run also
// measures the HTTP floor (a trivial endpoint) on the same machine at the
// same time of day, so results read as ratios on noisy machines.
package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// Config describes one run.
type Config struct {
	BaseURL     string
	Connections int
	// Duration bounds each phase; Requests, when set, bounds it by count
	// instead.
	Duration time.Duration
	Requests int
	// Districts are the places requests are made from.
	Districts []synth.District
	// Phases to run, in order: "floor", "match", "search",
	// "staff-interview".
	Phases []string
	Client *http.Client
	// AccessKey is an adviser token, for the staff-interview phase: the
	// run signs in with it once and posts the interview form with the
	// session's cookie.
	AccessKey   string
	staffCookie string
}

// Result is one phase's figures.
type Result struct {
	Phase      string  `json:"phase"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"requests_per_second"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	// P50xFloor is p50 as a multiple of the floor phase's p50.
	P50xFloor float64 `json:"p50_x_floor,omitempty"`
	// FirstError describes the first failure, if any.
	FirstError string `json:"first_error,omitempty"`
}

// Run runs every phase in turn and returns their results.
func Run(ctx context.Context, cfg Config) ([]Result, error) {
	if cfg.Connections <= 0 {
		cfg.Connections = 8
	}
	if len(cfg.Districts) == 0 {
		return nil, fmt.Errorf("load: no districts to make requests from")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Connections, MaxConnsPerHost: cfg.Connections},
		}
	}
	var out []Result
	var floor float64
	if slices.Contains(cfg.Phases, "staff-interview") {
		ck, err := StaffSignIn(ctx, cfg.Client, cfg.BaseURL, cfg.AccessKey)
		if err != nil {
			return nil, err
		}
		cfg.staffCookie = ck
	}
	for _, phase := range cfg.Phases {
		gen, err := generator(phase, cfg)
		if err != nil {
			return out, err
		}
		r := run(ctx, cfg, phase, gen)
		if phase == "floor" {
			floor = r.P50ms
		} else if floor > 0 {
			r.P50xFloor = r.P50ms / floor
		}
		out = append(out, r)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// request builds the i-th request of a phase.
type request func(i int, r *rand.Rand) (*http.Request, error)

// Requests returns the builder of a phase's requests ("floor", "match",
// "search") against cfg.BaseURL from cfg.Districts, for callers that mix
// phases themselves (the soak test). The i-th request is built from i and
// the random source.
func Requests(phase string, cfg Config) (func(i int, r *rand.Rand) (*http.Request, error), error) {
	return generator(phase, cfg)
}

func generator(phase string, cfg Config) (request, error) {
	base := cfg.BaseURL
	switch phase {
	case "floor":
		return func(int, *rand.Rand) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base+"/healthz", nil)
		}, nil
	case "match":
		return func(i int, r *rand.Rand) (*http.Request, error) {
			d := cfg.Districts[r.IntN(len(cfg.Districts))]
			body, _ := json.Marshal(map[string]any{
				"location": map[string]any{"postcode": d.Code},
				"needs":    Personas[i%len(Personas)],
				"per_page": 20,
			})
			req, err := http.NewRequest(http.MethodPost, base+"/v1/match", bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}, nil
	case "search":
		return func(i int, r *rand.Rand) (*http.Request, error) {
			d := cfg.Districts[r.IntN(len(cfg.Districts))]
			q := url.Values{"near": {d.Code}}
			s := searches[i%len(searches)]
			for k, v := range s {
				q[k] = v
			}
			return http.NewRequest(http.MethodGet, base+"/v1/search?"+q.Encode(), nil)
		}, nil
	case "staff-interview":
		return func(i int, r *rand.Rand) (*http.Request, error) {
			d := cfg.Districts[r.IntN(len(cfg.Districts))]
			form := StaffForm(Personas[i%len(Personas)])
			form.Set("where", d.Code)
			req, err := http.NewRequest(http.MethodPost, base+"/staff/interview", strings.NewReader(form.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", base)
				req.Header.Set("Cookie", cfg.staffCookie)
			}
			return req, err
		}, nil
	}
	return nil, fmt.Errorf("load: unknown phase %q (floor, match, search, staff-interview)", phase)
}

// StaffSignIn signs in to the staff pages with an access key and returns
// the session's cookie ("name=value").
func StaffSignIn(ctx context.Context, client *http.Client, base, key string) (string, error) {
	if key == "" {
		return "", fmt.Errorf("load: the staff-interview phase needs an adviser access key")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/staff/sign-in",
		strings.NewReader(url.Values{"access_key": {key}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if strings.HasSuffix(ck.Name, "bf_staff") && ck.Value != "" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("load: staff sign-in refused the access key (status %d)", res.StatusCode)
}

// StaffForm is needs as the staff interview form posts them.
func StaffForm(n directory.Needs) url.Values {
	f := url.Values{}
	add := func(k string, vs ...string) {
		for _, v := range vs {
			if v != "" {
				f.Add(k, v)
			}
		}
	}
	add("health_conditions", n.HealthConditions...)
	add("support", n.Support...)
	add("contact_preferences", n.ContactPreferences...)
	add("work_kind", n.WorkKind...)
	add("money_help", n.MoneyHelp...)
	add("languages", n.Languages...)
	add("accessibility", n.Accessibility...)
	add("hours", n.Hours)
	add("travel", n.Travel)
	add("distance_from_work", n.DistanceFromWork)
	add("job_search_stage", n.JobSearchStage)
	for flag, on := range map[string]bool{"severe": n.SevereOrFluctuating, "unsure": n.UnsureOfWorkGoal,
		"not_jobcentre": n.AvoidJobcentre, "no_groups": n.AvoidGroups, "in_work": n.InWorkSupport} {
		if on {
			f.Add("flags", flag)
		}
	}
	return f
}

// searches are the filters a search phase cycles through: what the public
// page and advisers ask most, with and without free text.
var searches = []url.Values{
	{},
	{"type": {"job_broker"}},
	{"service": {"confidence_building"}},
	{"delivery_mode": {"home_visits"}},
	{"specialism": {"mental_health"}, "taking_new_clients": {"true"}},
	{"q": {"confidence"}},
	{"q": {"self employment"}},
	{"accessibility": {"step_free"}, "type": {"job_broker"}},
}

// Personas are the ten people of DOMAIN.md as needs, for match requests.
var Personas = []directory.Needs{
	{HealthConditions: []string{"heart_circulation"}, DistanceFromWork: directory.DistanceClose, JobSearchStage: directory.StageSearching, Hours: directory.HoursFullTime},
	{HealthConditions: []string{"mental_health"}, DistanceFromWork: directory.DistanceMiddle, UnsureOfWorkGoal: true, Hours: directory.HoursGradual},
	{HealthConditions: []string{"back_neck", "mental_health"}, DistanceFromWork: directory.DistanceFar, MoneyHelp: []string{directory.MoneyWillWorkPay}, Support: []string{"basic_skills"}},
	{HealthConditions: []string{"learning_difficulties"}, Support: []string{"job_coaching"}, InWorkSupport: true, Accessibility: []string{"easy_read"}},
	{HealthConditions: []string{"sight"}, Support: []string{"jcp_programmes"}, Accessibility: []string{"large_print"}},
	{JobSearchStage: directory.StageLinedUp, MoneyHelp: []string{directory.MoneyCosts}},
	{Travel: directory.TravelNone, ContactPreferences: []string{directory.ModeHomeVisits, directory.ModeOutreach}},
	{HealthConditions: []string{"mental_health"}, WorkKind: []string{directory.WorkProfessional}},
	{WorkKind: []string{directory.WorkSelfEmployed}},
	{ContactPreferences: []string{directory.ModeOffice}, AvoidJobcentre: true, MaxTravelKm: 25,
		HealthConditions: []string{"mental_health"}, Support: []string{"confidence_building", "cv_applications"}, InWorkSupport: true},
}

func run(ctx context.Context, cfg Config, phase string, gen request) Result {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Requests == 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeout(ctx, cfg.Duration)
		defer stop()
	}
	start := time.Now()
	for w := range cfg.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			local := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if cfg.Requests > 0 && i >= cfg.Requests {
					break
				}
				req, err := gen(i, r)
				if err != nil {
					continue
				}
				t := time.Now()
				res, err := cfg.Client.Do(req.WithContext(ctx))
				var failed string
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						failed = fmt.Sprintf("%s %s: status %d", req.Method, req.URL.Path, res.StatusCode)
					}
				} else if ctx.Err() == nil {
					failed = err.Error()
				} else {
					break // the phase ended mid-request: not an error
				}
				d := time.Since(t)
				mu.Lock()
				if failed != "" {
					errs++
					if firstErr == "" {
						firstErr = failed
					}
				}
				mu.Unlock()
				local = append(local, d)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	res := Result{Phase: phase, Requests: len(lat), Errors: errs, Seconds: secs, FirstError: firstErr,
		P50ms: pct(0.50), P90ms: pct(0.90), P95ms: pct(0.95), P99ms: pct(0.99)}
	if len(lat) > 0 {
		res.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
		res.Throughput = float64(len(lat)) / secs
	}
	return res
}
