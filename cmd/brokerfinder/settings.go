package main

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/webhook"
)

// The types of configuration values. Each checks a value as it is read,
// from the environment (encoding.TextUnmarshaler, as caarlos0/env reads it)
// or from a flag (flag.Value), and its error says what it accepts.

// rate is requests a second: a number, 0 or more.
type rate float64

func (r *rate) UnmarshalText(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("%q is not a number of requests a second: want a number 0 or more, e.g. 20 or 0.5", b)
	}
	*r = rate(f)
	return nil
}
func (r *rate) Set(s string) error { return r.UnmarshalText([]byte(s)) }
func (r *rate) String() string     { return strconv.FormatFloat(float64(*r), 'g', -1, 64) }

// burst is a number of requests at once: a whole number, 1 or more.
type burst int

func (b *burst) UnmarshalText(t []byte) error {
	n, err := strconv.Atoi(string(t))
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a number of requests: want a whole number, 1 or more, e.g. 40", t)
	}
	*b = burst(n)
	return nil
}
func (b *burst) Set(s string) error { return b.UnmarshalText([]byte(s)) }
func (b *burst) String() string     { return strconv.Itoa(int(*b)) }

// timeout is a duration with a unit, more than zero.
type timeout time.Duration

func (d *timeout) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil || v <= 0 {
		return fmt.Errorf("%q is not a duration: want a number with a unit, more than 0, e.g. 10s, 1m or 1m30s", b)
	}
	*d = timeout(v)
	return nil
}
func (d *timeout) Set(s string) error { return d.UnmarshalText([]byte(s)) }
func (d *timeout) String() string     { return time.Duration(*d).String() }

// logLevel is one of slog's four level names.
type logLevel slog.Level

func (l *logLevel) UnmarshalText(b []byte) error {
	levels := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}
	v, ok := levels[strings.ToLower(string(b))]
	if !ok {
		return fmt.Errorf("%q is not a log level: want debug, info, warn or error", b)
	}
	*l = logLevel(v)
	return nil
}
func (l *logLevel) Set(s string) error { return l.UnmarshalText([]byte(s)) }
func (l *logLevel) String() string     { return strings.ToLower(slog.Level(*l).String()) }

// address is a listen address, host:port with the host optional.
type address string

func (a *address) UnmarshalText(b []byte) error {
	host, port, err := net.SplitHostPort(string(b))
	if _, perr := strconv.ParseUint(port, 10, 16); err != nil || perr != nil || strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q is not a listen address: want host:port or :port, e.g. :8080 or 127.0.0.1:8080", b)
	}
	*a = address(b)
	return nil
}
func (a *address) Set(s string) error { return a.UnmarshalText([]byte(s)) }
func (a *address) String() string     { return string(*a) }

// optionalAddress is an address, or empty for none.
type optionalAddress string

func (a *optionalAddress) UnmarshalText(b []byte) error {
	if len(b) > 0 {
		var v address
		if err := v.UnmarshalText(b); err != nil {
			return fmt.Errorf("%w; or empty for none", err)
		}
	}
	*a = optionalAddress(b)
	return nil
}
func (a *optionalAddress) Set(s string) error { return a.UnmarshalText([]byte(s)) }
func (a *optionalAddress) String() string     { return string(*a) }

// httpURL is an absolute http or https URL, or empty for none.
type httpURL string

func (u *httpURL) UnmarshalText(b []byte) error {
	if len(b) > 0 {
		p, err := url.Parse(string(b))
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("%q is not an http(s) URL: want e.g. https://geocoder.example/, or empty for none", b)
		}
	}
	*u = httpURL(b)
	return nil
}
func (u *httpURL) Set(s string) error { return u.UnmarshalText([]byte(s)) }
func (u *httpURL) String() string     { return string(*u) }

// mongoURI is a MongoDB connection string, or empty for the embedded
// store. Its errors never repeat the value: it may hold a password.
type mongoURI string

func (m *mongoURI) UnmarshalText(b []byte) error {
	s := string(b)
	if s != "" && !strings.HasPrefix(s, "mongodb://") && !strings.HasPrefix(s, "mongodb+srv://") {
		return fmt.Errorf("not a MongoDB connection string: want mongodb://... or mongodb+srv://..., or empty for the embedded store")
	}
	*m = mongoURI(s)
	return nil
}
func (m *mongoURI) Set(s string) error { return m.UnmarshalText([]byte(s)) }
func (m *mongoURI) String() string     { return maskURI(string(*m)) }

// proxyList is comma-separated IP addresses or CIDRs.
type proxyList []string

func (l *proxyList) UnmarshalText(b []byte) error {
	var out proxyList
	for _, p := range strings.Split(string(b), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return fmt.Errorf("%q is not an IP address or CIDR: want comma-separated addresses or CIDRs, e.g. 10.0.0.1,192.168.0.0/16", p)
			}
		}
		out = append(out, p)
	}
	*l = out
	return nil
}
func (l *proxyList) Set(s string) error { return l.UnmarshalText([]byte(s)) }
func (l *proxyList) String() string     { return strings.Join(*l, ",") }

// retention is how long closed referrals keep their client details: a
// whole number of months, or a duration with a unit, more than zero.
type retention service.Retention

func (r *retention) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		*r = retention{Months: n}
		return nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		*r = retention{Duration: d}
		return nil
	}
	return fmt.Errorf("%q is not a retention period: want a number of months, e.g. 12, or a duration with a unit, e.g. 8760h", b)
}
func (r *retention) Set(s string) error { return r.UnmarshalText([]byte(s)) }
func (r *retention) String() string {
	if r.Months > 0 {
		return strconv.Itoa(r.Months)
	}
	return r.Duration.String()
}

// hostList is comma-separated hosts or host:ports (an IPv6 address in
// brackets when it has a port), as webhook.NewPolicy takes them.
type hostList []string

func (l *hostList) UnmarshalText(b []byte) error {
	var out hostList
	for _, h := range strings.Split(string(b), ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if _, err := webhook.NewPolicy([]string{h}); err != nil {
			return fmt.Errorf("%q is not a host or host:port: want comma-separated hosts, e.g. 127.0.0.1,hooks.internal:8443", h)
		}
		out = append(out, h)
	}
	*l = out
	return nil
}
func (l *hostList) Set(s string) error { return l.UnmarshalText([]byte(s)) }
func (l *hostList) String() string     { return strings.Join(*l, ",") }
