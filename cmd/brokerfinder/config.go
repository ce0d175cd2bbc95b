package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/brokerfinder/brokerfinder/internal/api"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/telemetry"
	"github.com/brokerfinder/brokerfinder/internal/web/staff"
)

// config is the service's configuration. Defaults are in code
// (defaultConfig); BROKERFINDER_* environment variables override them;
// flags override both. Every value is checked as it is read, by its type
// (settings.go): a bad one is an error naming the variable or flag and
// what it accepts, never a silent default.
//
// Each field's tags name its variable (env), its flag and the flag's help
// (usage); flags are registered from them, so the two cannot drift apart.
type config struct {
	Addr     address  `env:"BROKERFINDER_ADDR" flag:"addr" usage:"listen address"`
	DataDir  string   `env:"BROKERFINDER_DATA_DIR" flag:"data-dir" usage:"data directory for the embedded store and the index"`
	MongoURI mongoURI `env:"BROKERFINDER_MONGODB_URI" flag:"mongodb-uri" usage:"MongoDB connection string; empty runs the embedded store"`
	Database string   `env:"BROKERFINDER_MONGODB_DATABASE" flag:"mongodb-database" usage:"database name"`
	SeedDir  string   `env:"BROKERFINDER_SEED_DIR" flag:"seed-dir" usage:"seed directory loaded into an empty store"`
	// PostcodesFile and GeocoderURL add geocoders in front of the built-in
	// table of the seed's towns and districts.
	PostcodesFile string  `env:"BROKERFINDER_POSTCODES_FILE" flag:"postcodes-file" usage:"CSV of postcodes or postcode districts with coordinates (ONS Postcode Directory layout, or outward codes)"`
	GeocoderURL   httpURL `env:"BROKERFINDER_GEOCODER_URL" flag:"geocoder-url" usage:"base URL of a postcodes.io-compatible geocoder"`
	// RateLimit and RateBurst limit each client address's matches and
	// writes (0 turns all limiting off), ReadRateLimit and ReadRateBurst
	// its GET requests. TrustedProxies are the proxies whose
	// X-Forwarded-For names the client.
	RateLimit      rate      `env:"BROKERFINDER_RATE_LIMIT" flag:"rate-limit" usage:"matches and writes a second one client address may make; 0 turns all limiting off"`
	RateBurst      burst     `env:"BROKERFINDER_RATE_BURST" flag:"rate-burst" usage:"matches and writes a client may make at once before the rate applies"`
	ReadRateLimit  rate      `env:"BROKERFINDER_READ_RATE_LIMIT" flag:"read-rate-limit" usage:"GET requests a second one client address may make; 0 leaves reads unlimited"`
	ReadRateBurst  burst     `env:"BROKERFINDER_READ_RATE_BURST" flag:"read-rate-burst" usage:"GET requests a client may make at once before the read rate applies"`
	TrustedProxies proxyList `env:"BROKERFINDER_TRUSTED_PROXIES" flag:"trusted-proxies" usage:"comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is trusted"`
	RequestTimeout timeout   `env:"BROKERFINDER_REQUEST_TIMEOUT" flag:"request-timeout" usage:"longest any request may take"`
	// PprofAddr, when set, serves Go's profiler (net/http/pprof) on its own
	// listener, for finding where time goes; keep it on a loopback address.
	PprofAddr optionalAddress `env:"BROKERFINDER_PPROF_ADDR" flag:"pprof-addr" usage:"address to serve Go's profiler on, e.g. 127.0.0.1:6060; empty turns it off"`
	// MetricsAddr, when set, serves the Prometheus metrics on their own
	// listener; when empty they are at /metrics on the main one, for
	// admins only.
	MetricsAddr optionalAddress `env:"BROKERFINDER_METRICS_ADDR" flag:"metrics-addr" usage:"address to serve Prometheus metrics on, e.g. :9090; empty serves them at /metrics to admins only"`
	LogLevel    logLevel        `env:"BROKERFINDER_LOG_LEVEL" flag:"log-level" usage:"debug, info, warn or error"`
	// ReferralRetention is how long a closed or withdrawn referral keeps
	// its client details before serve erases them.
	ReferralRetention retention `env:"BROKERFINDER_REFERRAL_RETENTION" flag:"referral-retention" usage:"how long closed referrals keep client details: a number of months (12) or a duration (8760h)"`
	// WebhookAllowHosts are the hosts webhooks may reach beyond the public
	// internet (and over plain http); WebhookRetryBase is the first wait
	// after a failed delivery, doubled at each retry.
	WebhookAllowHosts hostList `env:"BROKERFINDER_WEBHOOK_ALLOW_HOSTS" flag:"webhook-allow-hosts" usage:"comma-separated hosts or host:ports webhooks may reach although not public, over http too (e.g. 127.0.0.1 for tests)"`
	WebhookRetryBase  timeout  `env:"BROKERFINDER_WEBHOOK_RETRY_BASE" flag:"webhook-retry-base" usage:"first wait after a failed webhook delivery, doubled at each retry up to an hour"`
	// AdminToken is taken from the environment only: a flag would show in
	// process listings.
	AdminToken string `env:"BROKERFINDER_ADMIN_TOKEN"`
	// SessionIdleTimeout and SessionAbsoluteTimeout end a staff page
	// session unused for that long, and whatever the use after that long.
	SessionIdleTimeout     timeout `env:"BROKERFINDER_SESSION_IDLE_TIMEOUT" flag:"session-idle-timeout" usage:"staff sign-in ends after this long unused"`
	SessionAbsoluteTimeout timeout `env:"BROKERFINDER_SESSION_ABSOLUTE_TIMEOUT" flag:"session-absolute-timeout" usage:"staff sign-in ends this long after signing in, whatever the use"`
	// OIDC* configure staff sign-in with the organisation's OpenID Connect
	// provider; with no issuer only access keys sign in. The client
	// secret is taken from the environment only.
	OIDCIssuer        httpURL `env:"BROKERFINDER_OIDC_ISSUER" flag:"oidc-issuer" usage:"OpenID Connect issuer URL for staff sign-in; empty offers access keys only"`
	OIDCClientID      string  `env:"BROKERFINDER_OIDC_CLIENT_ID" flag:"oidc-client-id" usage:"OpenID Connect client id"`
	OIDCClientSecret  string  `env:"BROKERFINDER_OIDC_CLIENT_SECRET"`
	OIDCRedirectURL   httpURL `env:"BROKERFINDER_OIDC_REDIRECT_URL" flag:"oidc-redirect-url" usage:"this service's /staff/sign-in/callback address as the identity provider knows it"`
	OIDCRoleClaim     string  `env:"BROKERFINDER_OIDC_ROLE_CLAIM" flag:"oidc-role-claim" usage:"ID token claim holding the role: admin, adviser or provider_editor"`
	OIDCProviderClaim string  `env:"BROKERFINDER_OIDC_PROVIDER_CLAIM" flag:"oidc-provider-claim" usage:"ID token claim holding a provider editor's provider id"`
}

// oidcConfig checks the OpenID Connect settings: none, or all that sign-in
// needs.
func (c *config) oidcConfig() (*staff.OIDCConfig, error) {
	if c.OIDCIssuer == "" {
		return nil, nil
	}
	var missing []string
	if c.OIDCClientID == "" {
		missing = append(missing, "BROKERFINDER_OIDC_CLIENT_ID")
	}
	if c.OIDCRedirectURL == "" {
		missing = append(missing, "BROKERFINDER_OIDC_REDIRECT_URL")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("configuration: BROKERFINDER_OIDC_ISSUER is set, so %s must be too", strings.Join(missing, " and "))
	}
	return &staff.OIDCConfig{Issuer: string(c.OIDCIssuer), ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
		RedirectURL: string(c.OIDCRedirectURL), RoleClaim: c.OIDCRoleClaim, ProviderClaim: c.OIDCProviderClaim}, nil
}

// defaultConfig is the configuration with nothing set.
func defaultConfig() config {
	return config{
		Addr:              ":8080",
		DataDir:           "./data",
		Database:          "brokerfinder",
		SeedDir:           "./seed",
		RateLimit:         api.DefaultRateLimit,
		RateBurst:         api.DefaultRateBurst,
		ReadRateLimit:     api.DefaultReadRateLimit,
		ReadRateBurst:     api.DefaultReadRateBurst,
		RequestTimeout:    timeout(10 * time.Second),
		LogLevel:          logLevel(slog.LevelInfo),
		ReferralRetention: retention(service.DefaultRetention),
		WebhookRetryBase:  timeout(5 * time.Second),
		OIDCRoleClaim:     "brokerfinder_role",
		OIDCProviderClaim: "brokerfinder_provider",

		SessionIdleTimeout:     timeout(staff.DefaultIdleTimeout),
		SessionAbsoluteTimeout: timeout(staff.DefaultAbsoluteTimeout),
	}
}

// newConfig reads the environment over the defaults and registers the
// configuration's flags on fs, so that fs.Parse lays the flags over both.
// A bad variable is an error naming it and what it accepts; a bad flag is
// fs.Parse's error, naming the flag.
func newConfig(fs *flag.FlagSet, getenv func(string) string) (*config, error) {
	c := defaultConfig()
	if err := c.readEnv(getenv); err != nil {
		return nil, err
	}
	c.flags(fs)
	return &c, nil
}

// readEnv sets the fields whose variables are set (empty counts as unset,
// as before).
func (c *config) readEnv(getenv func(string) string) error {
	params, err := env.GetFieldParams(c)
	if err != nil {
		return err
	}
	vars := map[string]string{}
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			vars[p.Key] = v
		}
	}
	err = env.ParseWithOptions(c, env.Options{Environment: vars})
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	// The library names the struct field; say the variable instead, and
	// report every bad one at once.
	var problems []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeFor[config]().FieldByName(pe.Name); ok {
				problems = append(problems, f.Tag.Get("env")+": "+pe.Err.Error())
				continue
			}
		}
		problems = append(problems, e.Error())
	}
	return fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
}

// flags registers a flag for every field with a flag tag, its default the
// field's current value.
func (c *config) flags(fs *flag.FlagSet) {
	v := reflect.ValueOf(c).Elem()
	for _, f := range reflect.VisibleFields(v.Type()) {
		name := f.Tag.Get("flag")
		if name == "" {
			continue
		}
		usage := fmt.Sprintf("%s (%s)", f.Tag.Get("usage"), f.Tag.Get("env"))
		switch p := v.FieldByIndex(f.Index).Addr().Interface().(type) {
		case flag.Value:
			fs.Var(p, name, usage)
		case *string:
			fs.StringVar(p, name, *p, usage)
		default:
			panic(fmt.Sprintf("config field %s: no flag for %T", f.Name, p))
		}
	}
}

// parseConfig parses args into a new config.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, err := newConfig(fs, getenv)
	if err != nil {
		return nil, nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	return c, fs, nil
}

// logger returns a text logger at the configured level.
func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	// Lines logged with a request's context name its request id.
	return slog.New(telemetry.LogHandler(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.Level(c.LogLevel)}))), nil
}

// logValues returns the configuration for the start-up log, secrets masked.
func (c *config) logValues() []any {
	return []any{
		"addr", c.Addr, "data_dir", c.DataDir, "mongodb_uri", maskURI(string(c.MongoURI)),
		"database", c.Database, "seed_dir", c.SeedDir,
		"postcodes_file", c.PostcodesFile, "geocoder_url", c.GeocoderURL,
		"rate_limit", c.RateLimit, "rate_burst", c.RateBurst,
		"read_rate_limit", c.ReadRateLimit, "read_rate_burst", c.ReadRateBurst,
		"trusted_proxies", c.TrustedProxies.String(),
		"request_timeout", c.RequestTimeout.String(), "pprof_addr", c.PprofAddr, "metrics_addr", c.MetricsAddr,
		"log_level", c.LogLevel.String(), "referral_retention", service.Retention(c.ReferralRetention).String(),
		"webhook_allow_hosts", c.WebhookAllowHosts.String(), "webhook_retry_base", c.WebhookRetryBase.String(),
		"admin_token", mask(c.AdminToken),
		"session_idle_timeout", c.SessionIdleTimeout.String(), "session_absolute_timeout", c.SessionAbsoluteTimeout.String(),
		"oidc_issuer", c.OIDCIssuer, "oidc_client_id", c.OIDCClientID, "oidc_client_secret", mask(c.OIDCClientSecret),
		"oidc_redirect_url", c.OIDCRedirectURL, "oidc_role_claim", c.OIDCRoleClaim, "oidc_provider_claim", c.OIDCProviderClaim,
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
