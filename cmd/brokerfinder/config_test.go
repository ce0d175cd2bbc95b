package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/service"
)

// TestBadVariableRefusedAtStart: a bad value of any variable stops run
// before anything starts, with an error naming the variable and saying
// what it accepts.
func TestBadVariableRefusedAtStart(t *testing.T) {
	for _, tc := range []struct {
		name, variable, value, accepts string
	}{
		{"rate in words", "BROKERFINDER_RATE_LIMIT", "twenty", "a number 0 or more"},
		{"negative rate", "BROKERFINDER_RATE_LIMIT", "-1", "a number 0 or more"},
		{"infinite rate", "BROKERFINDER_RATE_LIMIT", "Inf", "a number 0 or more"},
		{"fractional burst", "BROKERFINDER_RATE_BURST", "2.5", "a whole number, 1 or more"},
		{"zero burst", "BROKERFINDER_RATE_BURST", "0", "a whole number, 1 or more"},
		{"negative read rate", "BROKERFINDER_READ_RATE_LIMIT", "-5", "a number 0 or more"},
		{"read burst in words", "BROKERFINDER_READ_RATE_BURST", "lots", "a whole number, 1 or more"},
		{"timeout without a unit", "BROKERFINDER_REQUEST_TIMEOUT", "10", "a number with a unit"},
		{"negative timeout", "BROKERFINDER_REQUEST_TIMEOUT", "-10s", "more than 0"},
		{"zero timeout", "BROKERFINDER_REQUEST_TIMEOUT", "0s", "more than 0"},
		{"unknown log level", "BROKERFINDER_LOG_LEVEL", "verbose", "debug, info, warn or error"},
		{"log level with an offset", "BROKERFINDER_LOG_LEVEL", "info+2", "debug, info, warn or error"},
		{"proxy not an address", "BROKERFINDER_TRUSTED_PROXIES", "10.0.0.1,proxy.internal", "addresses or CIDRs"},
		{"proxy CIDR out of range", "BROKERFINDER_TRUSTED_PROXIES", "10.0.0.0/33", "addresses or CIDRs"},
		{"listen address without a port", "BROKERFINDER_ADDR", "8080", "host:port or :port"},
		{"listen port out of range", "BROKERFINDER_ADDR", ":70000", "host:port or :port"},
		{"profiler address without a port", "BROKERFINDER_PPROF_ADDR", "localhost", "host:port or :port"},
		{"metrics address without a port", "BROKERFINDER_METRICS_ADDR", "metrics", "host:port or :port"},
		{"geocoder not http", "BROKERFINDER_GEOCODER_URL", "ftp://geo.example/", "http(s) URL"},
		{"geocoder without a host", "BROKERFINDER_GEOCODER_URL", "geo.example", "http(s) URL"},
		{"MongoDB URI of another kind", "BROKERFINDER_MONGODB_URI", "postgres://u:hunter2@db/x", "mongodb://"},
		{"retention in words", "BROKERFINDER_REFERRAL_RETENTION", "a year", "a number of months"},
		{"zero retention", "BROKERFINDER_REFERRAL_RETENTION", "0", "a number of months"},
		{"negative retention", "BROKERFINDER_REFERRAL_RETENTION", "-720h", "a duration with a unit"},
		{"fractional months", "BROKERFINDER_REFERRAL_RETENTION", "1.5", "a number of months"},
		{"webhook host as a URL", "BROKERFINDER_WEBHOOK_ALLOW_HOSTS", "127.0.0.1,http://hooks.internal", "comma-separated hosts"},
		{"webhook host with a bad port", "BROKERFINDER_WEBHOOK_ALLOW_HOSTS", "hooks.internal:99999", "comma-separated hosts"},
		{"webhook retry without a unit", "BROKERFINDER_WEBHOOK_RETRY_BASE", "5", "a number with a unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"BROKERFINDER_DATA_DIR": data, tc.variable: tc.value}
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, &stderr)
			if err == nil {
				t.Fatalf("%s=%s: run started", tc.variable, tc.value)
			}
			if !strings.Contains(err.Error(), tc.variable+":") || !strings.Contains(err.Error(), tc.accepts) {
				t.Fatalf("error %q; want it to name %s and say %q", err, tc.variable, tc.accepts)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q repeats a password", err)
			}
			if entries, _ := os.ReadDir(data); len(entries) > 0 {
				t.Fatalf("the data directory was written (%d entries): a bad configuration must stop run before anything starts", len(entries))
			}
		})
	}
}

// TestEveryBadVariableReportedAtOnce: two bad variables, two problems.
func TestEveryBadVariableReportedAtOnce(t *testing.T) {
	env := map[string]string{"BROKERFINDER_RATE_LIMIT": "twenty", "BROKERFINDER_REQUEST_TIMEOUT": "10"}
	_, _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "BROKERFINDER_RATE_LIMIT:") || !strings.Contains(err.Error(), "BROKERFINDER_REQUEST_TIMEOUT:") {
		t.Fatalf("error %v; want both variables named", err)
	}
}

// TestBadFlagRefused: flags are checked the same way, and named.
func TestBadFlagRefused(t *testing.T) {
	for _, tc := range []struct{ flag, value, accepts string }{
		{"rate-limit", "twenty", "a number 0 or more"},
		{"rate-burst", "-3", "a whole number, 1 or more"},
		{"read-rate-limit", "-1", "a number 0 or more"},
		{"read-rate-burst", "0", "a whole number, 1 or more"},
		{"request-timeout", "10", "a number with a unit"},
		{"log-level", "loud", "debug, info, warn or error"},
		{"trusted-proxies", "not-a-proxy", "addresses or CIDRs"},
		{"addr", "nowhere", "host:port"},
		{"geocoder-url", "geo", "http(s) URL"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			_, _, err := parseConfig("serve", []string{"--" + tc.flag, tc.value}, func(string) string { return "" }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "-"+tc.flag+":") || !strings.Contains(err.Error(), tc.accepts) {
				t.Fatalf("--%s %s: error %v; want it to name the flag and say %q", tc.flag, tc.value, err, tc.accepts)
			}
		})
	}
}

// TestConfigLayers: defaults, then variables, then flags.
func TestConfigLayers(t *testing.T) {
	type values struct {
		Addr, RateLimit, RateBurst, ReadRateLimit, ReadRateBurst, Timeout, Level, Proxies string
	}
	get := func(env map[string]string, args ...string) values {
		t.Helper()
		c, _, err := parseConfig("serve", args, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return values{c.Addr.String(), c.RateLimit.String(), c.RateBurst.String(), c.ReadRateLimit.String(),
			c.ReadRateBurst.String(), c.RequestTimeout.String(), c.LogLevel.String(), c.TrustedProxies.String()}
	}
	if diff := cmp.Diff(values{":8080", "20", "40", "30", "120", "10s", "info", ""}, get(nil)); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	env := map[string]string{
		"BROKERFINDER_ADDR": "127.0.0.1:9000", "BROKERFINDER_RATE_LIMIT": "0.5", "BROKERFINDER_RATE_BURST": "3",
		"BROKERFINDER_READ_RATE_LIMIT": "0", "BROKERFINDER_READ_RATE_BURST": "500", "BROKERFINDER_REQUEST_TIMEOUT": "1m30s",
		"BROKERFINDER_LOG_LEVEL": "WARN", "BROKERFINDER_TRUSTED_PROXIES": " 10.0.0.0/8, ::1 ",
		"BROKERFINDER_RATE_LIMIT_UNUSED": "", "BROKERFINDER_PPROF_ADDR": "",
	}
	if diff := cmp.Diff(values{"127.0.0.1:9000", "0.5", "3", "0", "500", "1m30s", "warn", "10.0.0.0/8,::1"}, get(env)); diff != "" {
		t.Errorf("from the environment (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(values{"127.0.0.1:9000", "7", "3", "0", "500", "2s", "warn", "192.168.1.1"},
		get(env, "--rate-limit", "7", "--request-timeout", "2s", "--trusted-proxies", "192.168.1.1")); diff != "" {
		t.Errorf("flags over the environment (-want +got):\n%s", diff)
	}
}

// TestLoggedConfigurationMasksSecrets: the start-up log shows that the
// token and the URI's password are set, never what they are.
func TestLoggedConfigurationMasksSecrets(t *testing.T) {
	env := map[string]string{"BROKERFINDER_ADMIN_TOKEN": "s3cret-token", "BROKERFINDER_MONGODB_URI": "mongodb://app:hunter2@db.internal:27017/?tls=true"}
	c, _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logged := fmt.Sprint(c.logValues()...)
	if strings.Contains(logged, "s3cret") || strings.Contains(logged, "hunter2") {
		t.Fatalf("logged configuration shows a secret: %s", logged)
	}
	if !strings.Contains(logged, "mongodb://app:***@db.internal:27017") {
		t.Fatalf("logged configuration lost the URI's host: %s", logged)
	}
	var help bytes.Buffer
	parseConfig("serve", []string{"-h"}, func(k string) string { return env[k] }, &help)
	if strings.Contains(help.String(), "hunter2") || !strings.Contains(help.String(), "BROKERFINDER_READ_RATE_LIMIT") {
		t.Fatalf("help shows the password or misses a variable:\n%s", help.String())
	}
}

// TestGoodConfigurationStarts: every variable set to a good value that is
// not its default, and the service starts, applies them and stops.
func TestGoodConfigurationStarts(t *testing.T) {
	env := map[string]string{
		"BROKERFINDER_DATA_DIR": t.TempDir(), "BROKERFINDER_SEED_DIR": filepath.Join(t.TempDir(), "none"),
		"BROKERFINDER_MONGODB_DATABASE": "configtest", "BROKERFINDER_ADMIN_TOKEN": testToken,
		"BROKERFINDER_RATE_LIMIT": "2.5", "BROKERFINDER_RATE_BURST": "5",
		"BROKERFINDER_READ_RATE_LIMIT": "1", "BROKERFINDER_READ_RATE_BURST": "2",
		"BROKERFINDER_TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.1", "BROKERFINDER_REQUEST_TIMEOUT": "30s",
		"BROKERFINDER_PPROF_ADDR": "127.0.0.1:0", "BROKERFINDER_LOG_LEVEL": "info",
		"BROKERFINDER_GEOCODER_URL": "http://127.0.0.1:1/", "GOMEMLIMIT": "900MiB",
	}
	base, stop := startRun(t, env)
	status := func() int {
		res, err := http.Get(base + "/v1/vocabularies")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	// The read limit of the environment applies: a burst of 2, then 429.
	got := []int{status(), status(), status()}
	if diff := cmp.Diff([]int{200, 200, 429}, got); diff != "" {
		t.Errorf("reads under BROKERFINDER_READ_RATE_BURST=2 (-want +got):\n%s", diff)
	}
	done := make(chan error, 1)
	go func() { done <- stop() }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("stop: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("did not stop")
	}
}

// TestBadConfigurationExitsNonZero runs main in a child process.
func TestBadConfigurationExitsNonZero(t *testing.T) {
	if os.Getenv("BROKERFINDER_TEST_MAIN") == "1" {
		os.Args = []string{"brokerfinder", "serve", "--addr", "127.0.0.1:0"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBadConfigurationExitsNonZero$")
	cmd.Env = append(os.Environ(), "BROKERFINDER_TEST_MAIN=1", "BROKERFINDER_REQUEST_TIMEOUT=10", "BROKERFINDER_DATA_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("exit: %v; want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), "BROKERFINDER_REQUEST_TIMEOUT:") {
		t.Fatalf("output does not name the variable:\n%s", out)
	}
}

// TestReferralRetentionSetting: a number is months, a duration is itself,
// and the default is 12 months.
func TestReferralRetentionSetting(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  service.Retention
	}{
		{"", service.Retention{Months: 12}},
		{"6", service.Retention{Months: 6}},
		{"8760h", service.Retention{Duration: 8760 * time.Hour}},
		{"90m", service.Retention{Duration: 90 * time.Minute}},
	} {
		t.Run(tc.value, func(t *testing.T) {
			env := map[string]string{"BROKERFINDER_REFERRAL_RETENTION": tc.value}
			c, _, err := parseConfig("serve", nil, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := service.Retention(c.ReferralRetention); got != tc.want {
				t.Errorf("%q: %+v, want %+v", tc.value, got, tc.want)
			}
		})
	}
	c, _, err := parseConfig("serve", []string{"--referral-retention", "3"}, func(string) string { return "" }, io.Discard)
	if err != nil || c.ReferralRetention.Months != 3 {
		t.Errorf("flag: %+v, %v", c, err)
	}
}
