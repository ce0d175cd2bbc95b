package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/webhook"
)

// verify checks a delivery as the Standard Webhooks specification tells a
// receiver to, written from the spec rather than from Sign: the key is the
// base64 after "whsec_"; the signed content is "{webhook-id}.{webhook-
// timestamp}.{body}"; the header holds space-separated "v1,<base64 HMAC-
// SHA256>" signatures, any of which may match; the timestamp must be
// within five minutes of now.
func verify(t *testing.T, secret string, h http.Header, body []byte, now time.Time) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret %q is not whsec_ and base64", secret)
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || id == "" {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	want := m.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// TestSignatureVerifiesBySpec: a delivery's headers verify with the
// specification's algorithm, and a changed body, id or secret does not.
func TestSignatureVerifiesBySpec(t *testing.T) {
	secret := webhook.NewSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q lacks whsec_", secret)
	}
	type got struct {
		h    http.Header
		body []byte
	}
	ch := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- got{r.Header.Clone(), b}
	}))
	defer srv.Close()
	p, err := webhook.NewPolicy([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"evt_1","type":"referral.created"}`)
	res := webhook.Send(context.Background(), p.Client(5*time.Second), webhook.Message{URL: srv.URL, Secret: secret, ID: "evt_1", At: time.Now(), Body: body})
	if res.Err != nil || res.StatusCode != 200 {
		t.Fatalf("send: %+v", res)
	}
	g := <-ch
	if g.h.Get("webhook-id") != "evt_1" || g.h.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", g.h)
	}
	if !verify(t, secret, g.h, g.body, time.Now()) {
		t.Fatalf("signature %q does not verify", g.h.Get("webhook-signature"))
	}
	if verify(t, secret, g.h, append(g.body, ' '), time.Now()) {
		t.Error("a changed body verified")
	}
	if verify(t, webhook.NewSecret(), g.h, g.body, time.Now()) {
		t.Error("another secret verified")
	}
	other := g.h.Clone()
	other.Set("webhook-id", "evt_2")
	if verify(t, secret, other, g.body, time.Now()) {
		t.Error("another id verified")
	}
	// The example in the README: it must stay right.
	sig, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if err != nil || sig != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("the specification's test vector signs as %q (%v)", sig, err)
	}
}

// TestRefusesNonPublicURLs: registration refuses plain http, user
// information, and every kind of non-public address, literal or by name.
func TestRefusesNonPublicURLs(t *testing.T) {
	p, err := webhook.NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "rebind.test":
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "mixed.test":
			return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.1.2.3")}, nil
		case "public.test":
			return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	refused := []string{
		"http://93.184.215.14/hook", "ftp://93.184.215.14/", "/relative", "https://user:pw@93.184.215.14/",
		"https://127.0.0.1/", "https://127.8.9.10/", "https://[::1]/", "https://0.0.0.0/", "https://[::]/",
		"https://10.0.0.1/", "https://172.16.5.4/", "https://192.168.1.1/", "https://100.64.0.1/",
		"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://[fd00::1]/",
		"https://224.0.0.1/", "https://[ff02::1]/", "https://[::ffff:127.0.0.1]/", "https://[64:ff9b::a00:1]/",
		"https://rebind.test/", "https://mixed.test/", "https://nowhere.test/",
	}
	for _, u := range refused {
		if err := p.CheckURL(context.Background(), u, resolve); err == nil {
			t.Errorf("%s was accepted", u)
		}
	}
	for _, u := range []string{"https://93.184.215.14/hook", "https://public.test:8443/x?y=1", "https://[2606:4700::1111]/"} {
		if err := p.CheckURL(context.Background(), u, resolve); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	allow, err := webhook.NewPolicy([]string{"127.0.0.1", "rebind.test:8080"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1:9999/hook", "https://127.0.0.1/", "http://rebind.test:8080/"} {
		if err := allow.CheckURL(context.Background(), u, resolve); err != nil {
			t.Errorf("allowed host %s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://rebind.test:8081/", "https://10.0.0.1/"} {
		if err := allow.CheckURL(context.Background(), u, resolve); err == nil {
			t.Errorf("%s accepted though only other hosts are allowed", u)
		}
	}
	for _, bad := range []string{"http://x", "a/b", "host:0", "host:99999", ":80"} {
		if _, err := webhook.NewPolicy([]string{bad}); err == nil {
			t.Errorf("NewPolicy accepted %q", bad)
		}
	}
}

// TestDialRefusesNonPublicAddresses: the client checks the address it
// actually dials, so a URL that passed registration (or never went
// through it) cannot reach a loopback address, by number or by a name
// that resolves to it (DNS rebinding), unless that host is allowed; and
// it follows no redirect.
func TestDialRefusesNonPublicAddresses(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	strict, _ := webhook.NewPolicy(nil)
	msg := func(u string) webhook.Message {
		return webhook.Message{URL: u, Secret: webhook.NewSecret(), ID: "evt_1", At: time.Now(), Body: []byte("{}")}
	}
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/"} {
		res := webhook.Send(context.Background(), strict.Client(5*time.Second), msg(u))
		if res.Err == nil || !strings.Contains(res.Err.Error(), "non-public") {
			t.Errorf("%s: got %+v, want a refusal to dial", u, res)
		}
	}
	if hits != 0 {
		t.Fatalf("the receiver was reached %d times", hits)
	}
	// Allowing 127.0.0.1 allows that host, not a name that resolves to it.
	byIP, _ := webhook.NewPolicy([]string{"127.0.0.1"})
	if res := webhook.Send(context.Background(), byIP.Client(5*time.Second), msg("http://localhost:"+port+"/")); res.Err == nil {
		t.Error("localhost was dialled though only 127.0.0.1 is allowed")
	}
	if res := webhook.Send(context.Background(), byIP.Client(5*time.Second), msg(srv.URL)); res.Err != nil || res.StatusCode != 204 {
		t.Errorf("allowed host: %+v", res)
	}
	res := webhook.Send(context.Background(), byIP.Client(5*time.Second), msg(srv.URL+"/redirect"))
	if res.Err == nil || res.StatusCode != http.StatusFound {
		t.Errorf("redirect: %+v, want a failure with status 302", res)
	}
	if hits != 2 {
		t.Errorf("receiver hit %d times, want 2 (the redirect not followed)", hits)
	}
}
