package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/finder"
	"github.com/brokerfinder/brokerfinder/internal/mongodb"
	"github.com/brokerfinder/brokerfinder/internal/mongodb/mongotest"
	"github.com/brokerfinder/brokerfinder/internal/service"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
	"github.com/brokerfinder/brokerfinder/internal/webhook"
)

// receiver is a local webhook receiver that records every delivery, can
// be made to fail, and notices a delivery arriving while another of the
// same id is still being handled.
type receiver struct {
	srv *httptest.Server
	// status is what it answers (200 when 0).
	status atomic.Int32
	delay  time.Duration

	mu         sync.Mutex
	got        []delivered
	inFlight   map[string]int
	concurrent []string // ids received twice at once
	calls      int
}

type delivered struct {
	header http.Header
	body   []byte
	event  struct {
		ID        string         `json:"id"`
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      map[string]any `json:"data"`
	}
}

func newReceiver(t *testing.T, delay time.Duration) *receiver {
	r := &receiver{inFlight: map[string]int{}, delay: delay}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	r.calls++
	r.inFlight[id]++
	if r.inFlight[id] > 1 {
		r.concurrent = append(r.concurrent, id)
	}
	r.mu.Unlock()
	time.Sleep(r.delay)
	r.mu.Lock()
	r.inFlight[id]--
	status := int(r.status.Load())
	if status == 0 || status == http.StatusOK {
		d := delivered{header: req.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &d.event)
		r.got = append(r.got, d)
		status = http.StatusOK
	}
	r.mu.Unlock()
	w.WriteHeader(status)
}

// ids returns the distinct event ids received, and how many deliveries.
func (r *receiver) ids() (map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, d := range r.got {
		out[d.event.ID]++
	}
	return out, len(r.got)
}

// clock is a test clock: now plus a skew the test can move.
type clock struct{ skew atomic.Int64 }

func (c *clock) now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

func webhookService(t *testing.T, st *mongodb.Store, c *clock) *service.Service {
	t.Helper()
	policy, err := webhook.NewPolicy([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Config{Store: st, Logger: quiet(), Webhooks: service.WebhookConfig{Policy: policy, RetryBase: 20 * time.Millisecond}}
	if c != nil {
		cfg.Now = c.now
	}
	return service.New(cfg)
}

var (
	adminCtx   = directory.WithActor(context.Background(), directory.Actor{ID: "tok-admin", Name: "Admin", Role: directory.RoleAdmin})
	adviserCtx = directory.WithActor(context.Background(), directory.Actor{ID: "tok-adviser", Name: "Adviser", Role: directory.RoleAdviser})
	editorCtx  = directory.WithActor(context.Background(), directory.Actor{ID: "tok-editor", Name: "Editor", Role: directory.RoleProviderEditor})
)

// deliverUntil runs the sender until done or the deadline.
func deliverUntil(t *testing.T, svc *service.Service, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("deliveries did not finish in 20 s")
		}
		if _, err := svc.DeliverDueWebhooks(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func register(t *testing.T, svc *service.Service, url, providerID string, events ...string) *directory.WebhookSubscription {
	t.Helper()
	w := &directory.WebhookSubscription{URL: url, Events: events, ProviderID: providerID}
	secret, err := svc.RegisterWebhook(adminCtx, w)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || w.Secret != secret {
		t.Fatalf("secret %q", secret)
	}
	return w
}

// TestWebhooksCarryIdsOnlyAndRecoverFromAnOutage: each change in the
// service enqueues its event; a receiver that is down for a while gets
// every event once it is back; the body carries ids, never the client's
// details; the delivery log shows the failures and the success; and a
// subscription for another provider hears nothing.
func TestWebhooksCarryIdsOnlyAndRecoverFromAnOutage(t *testing.T) {
	st := mongotest.Store(t)
	svc := webhookService(t, st, nil)
	a, b := storetest.Provider("Hook A"), storetest.Provider("Hook B")
	for _, p := range []*directory.Provider{&a, &b} {
		if err := svc.CreateProvider(adminCtx, p); err != nil {
			t.Fatal(err)
		}
	}
	rec, other := newReceiver(t, 0), newReceiver(t, 0)
	sub := register(t, svc, rec.srv.URL+"/hooks", a.ID, directory.WebhookEventTypes...)
	register(t, svc, other.srv.URL, b.ID, directory.WebhookEventTypes...)

	rec.status.Store(http.StatusServiceUnavailable) // down
	r := storetest.Referral(a.ID)
	if err := svc.CreateReferral(adviserCtx, &r); err != nil {
		t.Fatal(err)
	}
	next, err := svc.TransitionReferral(editorCtx, &r, r.Version, service.Transition{Status: directory.ReferralAcknowledged})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.VerifyProvider(editorCtx, a.ID, a.Version); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.OutboxDepth(context.Background()); err != nil || n != 3 {
		t.Fatalf("outbox depth %d (%v), want 3", n, err)
	}
	// A few rounds of failures, then the receiver comes back.
	for range 3 {
		if _, err := svc.DeliverDueWebhooks(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ids, _ := rec.ids(); len(ids) != 0 {
		t.Fatalf("received %v while down", ids)
	}
	rec.status.Store(http.StatusOK)
	deliverUntil(t, svc, func() bool { ids, _ := rec.ids(); return len(ids) == 3 })

	ids, n := rec.ids()
	want := []string{
		directory.WebhookEventID(directory.EventReferralCreated, r.ID, "1"),
		directory.WebhookEventID(directory.EventReferralStatusChanged, r.ID, "2"),
		directory.WebhookEventID(directory.EventProviderChanged, a.ID, "2"),
	}
	for _, id := range want {
		if ids[id] != 1 {
			t.Errorf("event %s received %d times", id, ids[id])
		}
	}
	if n != 3 {
		t.Errorf("%d deliveries, want 3", n)
	}
	for _, d := range rec.got {
		for _, personal := range []string{r.Client.Name, r.Client.Phone, r.Note, "job_search"} {
			if strings.Contains(string(d.body), personal) {
				t.Errorf("a delivery carries client data %q: %s", personal, d.body)
			}
		}
		if d.event.Data["provider_id"] != a.ID || d.event.Timestamp.IsZero() || d.header.Get("webhook-signature") == "" {
			t.Errorf("delivery %s", d.body)
		}
		if d.event.Type == directory.EventReferralStatusChanged && (d.event.Data["referral_id"] != r.ID || d.event.Data["version"] != float64(next.Version)) {
			t.Errorf("status change delivery %s", d.body)
		}
	}
	if ids, _ := other.ids(); len(ids) != 0 {
		t.Errorf("provider B's webhook heard provider A's events: %v", ids)
	}
	log, err := st.WebhookAttempts(context.Background(), sub.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, a := range log {
		outcomes[a.Outcome]++
		if a.Outcome == directory.AttemptFailed && (a.StatusCode != 503 || a.NextAt == nil) {
			t.Errorf("failed attempt %+v", a)
		}
	}
	if outcomes[directory.AttemptDelivered] != 3 || outcomes[directory.AttemptFailed] < 3 {
		t.Errorf("delivery log outcomes %v, want 3 delivered after at least 3 failures", outcomes)
	}
	if n, _ := svc.OutboxDepth(context.Background()); n != 0 {
		t.Errorf("outbox depth %d after delivery", n)
	}
}

// TestWebhooksTwoSendersOneStore: two services on one store (two
// replicas) send the same outbox at once: every event arrives, and no
// event is ever being received twice at the same time.
func TestWebhooksTwoSendersOneStore(t *testing.T) {
	st := mongotest.Store(t)
	one, two := webhookService(t, st, nil), webhookService(t, st, nil)
	p := storetest.Provider("Two Replicas")
	if err := one.CreateProvider(adminCtx, &p); err != nil {
		t.Fatal(err)
	}
	rec := newReceiver(t, 30*time.Millisecond)
	register(t, one, rec.srv.URL, "", directory.EventReferralCreated)
	const n = 24
	for i := range n {
		r := storetest.Referral(p.ID)
		svc := one
		if i%2 == 1 {
			svc = two
		}
		if err := svc.CreateReferral(adviserCtx, &r); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, svc := range []*service.Service{one, two} {
		wg.Go(func() { svc.DeliverWebhooks(ctx, 5*time.Millisecond) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ids, _ := rec.ids()
		if len(ids) == n {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatalf("%d of %d events arrived", len(ids), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.concurrent) > 0 {
		t.Errorf("events received twice at once: %v", rec.concurrent)
	}
	if rec.calls != n {
		t.Logf("%d calls for %d events (at least once allows repeats, never at once)", rec.calls, n)
	}
}

// TestWebhookAbandonedAttemptIsSentAgain: a sender that claimed an
// attempt and died (its lease runs out with no outcome) does not lose the
// event: the next sender marks the attempt abandoned and sends it.
func TestWebhookAbandonedAttemptIsSentAgain(t *testing.T) {
	st := mongotest.Store(t)
	var c clock
	svc := webhookService(t, st, &c)
	p := storetest.Provider("Crashed Sender")
	if err := svc.CreateProvider(adminCtx, &p); err != nil {
		t.Fatal(err)
	}
	rec := newReceiver(t, 0)
	sub := register(t, svc, rec.srv.URL, p.ID, directory.EventReferralCreated)
	r := storetest.Referral(p.ID)
	if err := svc.CreateReferral(adviserCtx, &r); err != nil {
		t.Fatal(err)
	}
	due, err := st.DueWebhookDeliveries(context.Background(), time.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v, %v", due, err)
	}
	// The dead sender's claim.
	now := time.Now()
	dead := &directory.WebhookAttempt{ID: directory.WebhookAttemptID(due[0].ID, 1), DeliveryID: due[0].ID, SubscriptionID: sub.ID,
		EventID: due[0].Event.ID, EventType: due[0].Event.Type, N: 1, StartedAt: now, LeaseUntil: now.Add(time.Minute), Outcome: directory.AttemptSending}
	if err := st.ClaimWebhookAttempt(context.Background(), dead); err != nil {
		t.Fatal(err)
	}
	// Within the lease nobody else sends it.
	if _, err := svc.DeliverDueWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids, _ := rec.ids(); len(ids) != 0 {
		t.Fatal("an attempt under another sender's lease was sent")
	}
	c.skew.Store(int64(2 * time.Minute))
	deliverUntil(t, svc, func() bool { ids, _ := rec.ids(); return len(ids) == 1 })
	a, err := st.WebhookAttempt(context.Background(), dead.ID)
	if err != nil || a.Outcome != directory.AttemptAbandoned {
		t.Errorf("dead attempt %+v, %v", a, err)
	}
}

// TestWebhookForAChangeNeverStoredIsDropped: an event enqueued before a
// change that then never happened (its writer crashed) is not sent.
func TestWebhookForAChangeNeverStoredIsDropped(t *testing.T) {
	st := mongotest.Store(t)
	var c clock
	svc := webhookService(t, st, &c)
	p := storetest.Provider("Never Stored")
	if err := svc.CreateProvider(adminCtx, &p); err != nil {
		t.Fatal(err)
	}
	rec := newReceiver(t, 0)
	sub := register(t, svc, rec.srv.URL, p.ID, directory.EventReferralCreated)
	ghost := directory.WebhookEvent{ID: directory.WebhookEventID(directory.EventReferralCreated, "ghost", "1"),
		Type: directory.EventReferralCreated, At: time.Now(), ProviderID: p.ID, ReferralID: "ghost", Version: 1}
	if n, err := st.EnqueueWebhookEvent(context.Background(), ghost, true); err != nil || n != 1 {
		t.Fatalf("enqueue: %d, %v", n, err)
	}
	if n, _ := st.EnqueueWebhookEvent(context.Background(), ghost, true); n != 1 {
		t.Fatal("enqueue again failed")
	}
	if n, _ := svc.OutboxDepth(context.Background()); n != 1 {
		t.Fatalf("the same event enqueued twice is owed %d times", n)
	}
	if _, err := svc.DeliverDueWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.OutboxDepth(context.Background()); n != 1 {
		t.Fatal("an unconfirmed event was given up before its writer had time to finish")
	}
	c.skew.Store(int64(3 * time.Minute))
	if _, err := svc.DeliverDueWebhooks(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, _ := svc.OutboxDepth(context.Background()); n != 0 {
		t.Errorf("outbox depth %d, want the ghost dropped", n)
	}
	if _, calls := rec.ids(); calls != 0 || rec.calls != 0 {
		t.Error("an event for a change never stored was sent")
	}
	log, _ := st.WebhookAttempts(context.Background(), sub.ID, 10)
	if len(log) != 1 || log[0].Outcome != directory.AttemptDropped {
		t.Errorf("log %+v", log)
	}
	// The same change made later for real (a refused move retried) gets
	// its event, though it has the dropped one's id.
	ghost.At = c.now()
	if _, err := st.EnqueueWebhookEvent(context.Background(), ghost, false); err != nil {
		t.Fatal(err)
	}
	deliverUntil(t, svc, func() bool { ids, _ := rec.ids(); return ids[ghost.ID] == 1 })
}

// TestWebhookDisabledAfterRepeatedFailure: deliveries that fail for 24
// hours are given up, and after three in a row the subscription is
// disabled, saying why; it then sends nothing.
func TestWebhookDisabledAfterRepeatedFailure(t *testing.T) {
	st := mongotest.Store(t)
	var c clock
	svc := webhookService(t, st, &c)
	p := storetest.Provider("Failing Receiver")
	if err := svc.CreateProvider(adminCtx, &p); err != nil {
		t.Fatal(err)
	}
	rec := newReceiver(t, 0)
	rec.status.Store(http.StatusInternalServerError)
	sub := register(t, svc, rec.srv.URL, p.ID, directory.EventReferralCreated)
	refer := func(n int) {
		for range n {
			r := storetest.Referral(p.ID)
			if err := svc.CreateReferral(adviserCtx, &r); err != nil {
				t.Fatal(err)
			}
		}
		deliverUntil(t, svc, func() bool {
			n, err := svc.OutboxDepth(context.Background())
			return err == nil && n == 0
		})
	}
	c.skew.Store(int64(25 * time.Hour))
	refer(directory.WebhookDisableAfter)
	got, err := st.Webhook(context.Background(), sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisabledAt == nil || !strings.Contains(got.DisabledReason, "500") || got.Failures != directory.WebhookDisableAfter {
		t.Errorf("subscription after %d failures: %+v", directory.WebhookDisableAfter, got)
	}
	refer(1)
	rec.mu.Lock()
	calls := rec.calls
	rec.mu.Unlock()
	if calls != directory.WebhookDisableAfter {
		t.Errorf("%d calls, want %d (nothing sent once disabled)", calls, directory.WebhookDisableAfter)
	}
}

// TestRegisterWebhookRefusals: bad input names the field and stores
// nothing.
func TestRegisterWebhookRefusals(t *testing.T) {
	st := mongotest.Store(t)
	svc := service.New(service.Config{Store: st, Logger: quiet()}) // the default policy: public https only
	cases := []struct {
		w     directory.WebhookSubscription
		field string
	}{
		{directory.WebhookSubscription{Events: []string{directory.EventReferralCreated}}, "url"},
		{directory.WebhookSubscription{URL: "https://93.184.215.14/"}, "events"},
		{directory.WebhookSubscription{URL: "https://93.184.215.14/", Events: []string{"referral.deleted"}}, "events[0]"},
		{directory.WebhookSubscription{URL: "http://93.184.215.14/", Events: []string{directory.EventReferralCreated}}, "url"},
		{directory.WebhookSubscription{URL: "https://127.0.0.1/", Events: []string{directory.EventReferralCreated}}, "url"},
		{directory.WebhookSubscription{URL: "https://93.184.215.14/", Events: []string{directory.EventReferralCreated}, ProviderID: "nope"}, "provider_id"},
	}
	for _, c := range cases {
		_, err := svc.RegisterWebhook(adminCtx, &c.w)
		var ve *directory.ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Field != c.field {
			t.Errorf("%+v: %v, want a problem with %s", c.w, err, c.field)
		}
	}
	if list, _ := st.Webhooks(context.Background(), "-"); len(list) != 0 {
		t.Errorf("refused registrations stored %d", len(list))
	}
}

// TestVerificationDueSentOncePerConfirmation: the sweep enqueues
// provider.verification_due for a published listing last confirmed over
// five months ago, once however often it runs (or on how many replicas),
// and again only after the listing is confirmed and falls due once more.
func TestVerificationDueSentOncePerConfirmation(t *testing.T) {
	ctx := context.Background()
	st := mongotest.Store(t)
	stale, fresh := storetest.Provider("Stale Listing"), storetest.Provider("Fresh Listing")
	stale.Freshness.LastVerified = directory.DateOf(time.Now().AddDate(0, -5, -2))
	fresh.Freshness.LastVerified = directory.DateOf(time.Now().AddDate(0, -4, 0))
	for _, p := range []*directory.Provider{&stale, &fresh} {
		if err := st.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := finder.Open(ctx, finder.Config{Store: st, IndexDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	policy, _ := webhook.NewPolicy([]string{"127.0.0.1"})
	var c clock
	svc := service.New(service.Config{Store: st, Finder: f, Logger: quiet(), Now: c.now,
		Webhooks: service.WebhookConfig{Policy: policy, RetryBase: 20 * time.Millisecond}})
	if n, err := svc.SweepVerificationDue(ctx); err != nil || n != 0 {
		t.Fatalf("with no subscription the sweep enqueued %d (%v)", n, err)
	}
	rec := newReceiver(t, 0)
	register(t, svc, rec.srv.URL, "", directory.EventProviderVerificationDue)
	for i := range 3 {
		n, err := svc.SweepVerificationDue(ctx)
		want := 0
		if i == 0 {
			want = 1
		}
		if err != nil || n != want {
			t.Fatalf("sweep %d enqueued %d (%v), want %d", i, n, err, want)
		}
		deliverUntil(t, svc, func() bool { n, _ := svc.OutboxDepth(ctx); return n == 0 })
	}
	ids, calls := rec.ids()
	first := directory.WebhookEventID(directory.EventProviderVerificationDue, stale.ID, string(stale.Freshness.LastVerified))
	if calls != 1 || ids[first] != 1 {
		t.Fatalf("received %v, want %s once", ids, first)
	}
	// Confirmed today, then six months pass: due again, as a new event.
	if _, err := svc.VerifyProvider(editorCtx, stale.ID, stale.Version); err != nil {
		t.Fatal(err)
	}
	c.skew.Store(int64(183 * 24 * time.Hour))
	if n, err := svc.SweepVerificationDue(ctx); err != nil || n != 2 {
		t.Fatalf("six months on the sweep enqueued %d (%v), want both listings", n, err)
	}
}
