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
	// Phases to run, in order: "floor", "match", "search".
	Phases []string
	Client *http.Client
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
	}
	return nil, fmt.Errorf("load: unknown phase %q (floor, match, search)", phase)
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
		P50ms: pct(0.50), P90ms: pct(0.90), P99ms: pct(0.99)}
	if len(lat) > 0 {
		res.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
		res.Throughput = float64(len(lat)) / secs
	}
	return res
}
