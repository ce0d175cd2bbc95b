// Package webhook posts change notifications to subscribers' URLs: it
// decides which URLs may be called (the SSRF policy, applied at
// registration and again to every address actually dialled), signs each
// body the Standard Webhooks way, and sends it. What is owed to whom, and
// retrying, are the service's (internal/service/webhook.go).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// SecretPrefix starts every signing secret, as Standard Webhooks writes
// them; the rest is the key in standard base64.
const SecretPrefix = "whsec_"

// NewSecret returns a new signing secret: 32 random bytes.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// Sign returns the webhook-signature header value for a delivery with
// message id, Unix timestamp ts and body: "v1," and the base64 HMAC-SHA256,
// keyed by the secret's decoded bytes, of "id.ts.body".
func Sign(secret, id string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return "", errors.New("webhook: the secret is not base64")
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, ts)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// Policy says which URLs deliveries may go to: https to public addresses
// only, and also plain http to the hosts it allows (for tests and
// receivers on the same private network, by an operator's choice).
type Policy struct {
	// allow holds "host" (any port) and "host:port" entries, lower case.
	allow []string
}

// NewPolicy returns a policy allowing hosts (each "host" or "host:port";
// an IPv6 host in brackets with a port) beyond the public internet.
func NewPolicy(hosts []string) (*Policy, error) {
	p := &Policy{}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if strings.ContainsAny(h, "/@?# ") {
			return nil, fmt.Errorf("%q is not a host or host:port", h)
		}
		if host, port, err := net.SplitHostPort(h); err == nil {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
				return nil, fmt.Errorf("%q has a bad port", h)
			}
		}
		p.allow = append(p.allow, strings.Trim(h, "[]"))
	}
	return p, nil
}

// allowed reports whether host (a name or address, no brackets) at port
// is named in the policy.
func (p *Policy) allowed(host, port string) bool {
	if p == nil {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return slices.Contains(p.allow, host) || slices.Contains(p.allow, net.JoinHostPort(host, port))
}

// URLError is a refusal of a URL, saying why.
type URLError struct{ Reason string }

func (e *URLError) Error() string { return e.Reason }

// CheckURL checks raw may be registered: an absolute https URL (or http
// to an allowed host) with no user information, whose host, if an
// address, is public, and if a name, does not resolve to a private
// address now (it is checked again at every dial). resolve looks names
// up; nil means the system resolver.
func (p *Policy) CheckURL(ctx context.Context, raw string, resolve func(ctx context.Context, host string) ([]netip.Addr, error)) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return &URLError{"must be an absolute URL, like https://example.org/hooks"}
	}
	if u.User != nil {
		return &URLError{"must not carry a user name or password"}
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	allowed := p.allowed(host, port)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowed:
	default:
		return &URLError{"must use https"}
	}
	if allowed {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !Public(a) {
			return &URLError{"must not point at a loopback, private, link-local or other non-public address"}
		}
		return nil
	}
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	addrs, err := resolve(ctx, host)
	if err != nil || len(addrs) == 0 {
		return &URLError{"names a host that could not be found"}
	}
	for _, a := range addrs {
		if !Public(a) {
			return &URLError{"names a host that resolves to a loopback, private, link-local or other non-public address"}
		}
	}
	return nil
}

// nonPublic are the ranges a delivery never goes to unless allowed:
// loopback, private, link-local, CGNAT, multicast, unspecified,
// documentation, benchmarking and reserved ranges, and their IPv6
// twins (unique local, site-local, NAT64 and 6to4 relays that could
// reach an IPv4 inside).
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "2002::/16",
		"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Public reports whether a is an ordinary public unicast address.
func Public(a netip.Addr) bool {
	a = a.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// control refuses a connection to a non-public address. It runs on the
// address actually dialled, after resolution, so a name that resolved to
// a public address at registration and to 127.0.0.1 now (DNS rebinding)
// is still refused. Allowed hosts never reach it (see Client): an
// allowance is for the host a URL names, not for whatever a public name
// may come to resolve to.
func control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &URLError{"bad address"}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return &URLError{"bad address"}
	}
	if Public(a) {
		return nil
	}
	return &URLError{"refused to connect to a non-public address"}
}

// Client returns an HTTP client for deliveries under p: it follows no
// redirects, uses no proxy, times out after timeout, and dials only
// addresses p allows. A host allowed by name (not address) may dial any
// address its name resolves to.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: control}
	byName := &net.Dialer{Timeout: 10 * time.Second}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && p.allowed(host, port) {
				return byName.DialContext(ctx, network, addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Message is one signed delivery.
type Message struct {
	URL    string
	Secret string
	// ID is the webhook-id: the event's id, the same on every retry, so
	// a receiver can drop a repeat.
	ID   string
	At   time.Time
	Body []byte
}

// Result is how a send went.
type Result struct {
	StatusCode int
	// Err says why it failed, in words with no secret; nil for a 2xx.
	Err error
}

// Send posts m with client and reports the outcome: only a 2xx status is
// a success (a redirect is a failure: it is not followed).
func Send(ctx context.Context, client *http.Client, m Message) Result {
	ts := m.At.Unix()
	sig, err := Sign(m.Secret, m.ID, ts, m.Body)
	if err != nil {
		return Result{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Result{Err: errors.New("the URL cannot be requested")}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "brokerfinder-webhooks/1")
	req.Header.Set("webhook-id", m.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	res, err := client.Do(req)
	if err != nil {
		return Result{Err: describe(err)}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return Result{StatusCode: res.StatusCode, Err: fmt.Errorf("the receiver answered %d", res.StatusCode)}
	}
	return Result{StatusCode: res.StatusCode}
}

// describe turns a transport error into a short reason for the delivery
// log (the URL is the owner's own, so naming the failure is safe).
func describe(err error) error {
	var ue *URLError
	switch {
	case errors.As(err, &ue):
		return ue
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return errors.New("the receiver did not answer in time")
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return errors.New("the host could not be found")
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return fmt.Errorf("could not connect: %v", op.Err)
	}
	return errors.New("the request failed")
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
