package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// config is the service's configuration. Defaults are in code; environment
// variables override them; flags override both.
type config struct {
	Addr       string
	DataDir    string
	MongoURI   string
	Database   string
	AdminToken string
	SeedDir    string
	LogLevel   string
	// PostcodesFile and GeocoderURL add geocoders in front of the built-in
	// table of the seed's towns and districts.
	PostcodesFile string
	GeocoderURL   string
	// RateLimit and RateBurst limit each client address's matches and
	// writes (requests a second; 0 turns all limiting off), ReadRateLimit
	// and ReadRateBurst its GET requests. TrustedProxies are the proxies
	// whose X-Forwarded-For names the client.
	RateLimit      float64
	RateBurst      int
	ReadRateLimit  float64
	ReadRateBurst  int
	TrustedProxies string
	RequestTimeout time.Duration
	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on its own
	// listener, for finding where time goes; keep it on a loopback address.
	PprofAddr string
}

// flags registers the shared configuration flags on fs, with defaults from
// the environment.
func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("BROKERFINDER_ADDR", ":8080"), "listen address (BROKERFINDER_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("BROKERFINDER_DATA_DIR", "./data"), "data directory for the embedded store and the index (BROKERFINDER_DATA_DIR)")
	fs.StringVar(&c.MongoURI, "mongodb-uri", env("BROKERFINDER_MONGODB_URI", ""), "MongoDB connection string; empty runs the embedded store (BROKERFINDER_MONGODB_URI)")
	fs.StringVar(&c.Database, "mongodb-database", env("BROKERFINDER_MONGODB_DATABASE", "brokerfinder"), "database name (BROKERFINDER_MONGODB_DATABASE)")
	fs.StringVar(&c.SeedDir, "seed-dir", env("BROKERFINDER_SEED_DIR", "./seed"), "seed directory loaded into an empty store (BROKERFINDER_SEED_DIR)")
	fs.StringVar(&c.PostcodesFile, "postcodes-file", env("BROKERFINDER_POSTCODES_FILE", ""), "CSV of postcodes or postcode districts with coordinates (ONS Postcode Directory layout, or outward codes) (BROKERFINDER_POSTCODES_FILE)")
	fs.StringVar(&c.GeocoderURL, "geocoder-url", env("BROKERFINDER_GEOCODER_URL", ""), "base URL of a postcodes.io-compatible geocoder (BROKERFINDER_GEOCODER_URL)")
	fs.Float64Var(&c.RateLimit, "rate-limit", envFloat(getenv, "BROKERFINDER_RATE_LIMIT", api.DefaultRateLimit), "matches and writes a second one client address may make; 0 turns all limiting off (BROKERFINDER_RATE_LIMIT)")
	fs.IntVar(&c.RateBurst, "rate-burst", int(envFloat(getenv, "BROKERFINDER_RATE_BURST", api.DefaultRateBurst)), "matches and writes a client may make at once before the rate applies (BROKERFINDER_RATE_BURST)")
	fs.Float64Var(&c.ReadRateLimit, "read-rate-limit", envFloat(getenv, "BROKERFINDER_READ_RATE_LIMIT", api.DefaultReadRateLimit), "GET requests a second one client address may make; 0 leaves reads unlimited (BROKERFINDER_READ_RATE_LIMIT)")
	fs.IntVar(&c.ReadRateBurst, "read-rate-burst", int(envFloat(getenv, "BROKERFINDER_READ_RATE_BURST", api.DefaultReadRateBurst)), "GET requests a client may make at once before the read rate applies (BROKERFINDER_READ_RATE_BURST)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("BROKERFINDER_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is trusted (BROKERFINDER_TRUSTED_PROXIES)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", envDuration(getenv, "BROKERFINDER_REQUEST_TIMEOUT", 10*time.Second), "longest any request may take (BROKERFINDER_REQUEST_TIMEOUT)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("BROKERFINDER_PPROF_ADDR", ""), "address to serve Go's profiler on, e.g. 127.0.0.1:6060; empty turns it off (BROKERFINDER_PPROF_ADDR)")
	fs.StringVar(&c.LogLevel, "log-level", env("BROKERFINDER_LOG_LEVEL", "info"), "debug, info, warn or error (BROKERFINDER_LOG_LEVEL)")
	// The admin token is taken from the environment only: a flag would show
	// in process listings.
	c.AdminToken = getenv("BROKERFINDER_ADMIN_TOKEN")
}

// parse parses args into a new config.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.flags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return &c, fs, nil
}

// logger returns a text logger at the configured level.
func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}

// logValues returns the configuration for the start-up log, secrets masked.
func (c *config) logValues() []any {
	return []any{
		"addr", c.Addr, "data_dir", c.DataDir, "mongodb_uri", maskURI(c.MongoURI),
		"database", c.Database, "seed_dir", c.SeedDir,
		"postcodes_file", c.PostcodesFile, "geocoder_url", c.GeocoderURL,
		"rate_limit", c.RateLimit, "rate_burst", c.RateBurst,
		"read_rate_limit", c.ReadRateLimit, "read_rate_burst", c.ReadRateBurst, "trusted_proxies", c.TrustedProxies,
		"request_timeout", c.RequestTimeout, "pprof_addr", c.PprofAddr,
		"admin_token", mask(c.AdminToken),
	}
}

func mask(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

// maskURI hides the password in a MongoDB URI.
func maskURI(uri string) string {
	if uri == "" {
		return "(embedded)"
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "(set)"
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, _, _ := strings.Cut(rest[:at], ":")
		return scheme + "://" + user + ":***@" + rest[at+1:]
	}
	return uri
}

// envFloat reads a number from the environment, or def when unset or not a
// number (a bad value is caught when the flag of the same name is parsed).
func envFloat(getenv func(string) string, name string, def float64) float64 {
	if f, err := strconv.ParseFloat(getenv(name), 64); err == nil {
		return f
	}
	return def
}

func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(name)); err == nil {
		return d
	}
	return def
}

// proxies splits the trusted proxies setting.
func (c *config) proxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
