package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(0, 0)} }

func TestLimiterRefillsAtItsRate(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(2, 3, 0, 0, 10, clock.now) // 2 a second, bursts of 3; reads unlimited
	for i := range 3 {
		if ok, _ := l.allow("a", classMatch); !ok {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.allow("a", classMatch)
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("4th request: allowed %v, wait %v; want refused, wait up to 0.5 s", ok, wait)
	}
	if ok, _ := l.allow("b", classMatch); !ok {
		t.Fatal("another client must have its own bucket")
	}
	if ok, _ := l.allow("a", classWrite); !ok {
		t.Fatal("writes must be counted apart from matches")
	}
	for range 1000 {
		if ok, _ := l.allow("a", classRead); !ok {
			t.Fatal("reads refused with a read rate of 0 (unlimited)")
		}
	}
	clock.add(500 * time.Millisecond)
	if ok, _ := l.allow("a", classMatch); !ok {
		t.Fatal("after half a second one token is back")
	}
	if ok, _ := l.allow("a", classMatch); ok {
		t.Fatal("only one token came back")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         routeClass
	}{
		{"GET", "/healthz", classFree},
		{"GET", "/assets/app.css", classFree},
		{"GET", "/openapi/swagger.json", classFree},
		{"GET", "/oruk/services", classRead},
		{"OPTIONS", "/oruk/services", classRead},
		{"GET", "/v1/search", classRead},
		{"GET", "/v1/providers/x", classRead},
		{"GET", "/results", classRead},
		{"POST", "/v1/match", classMatch},
		{"POST", "/results", classMatch},
		{"POST", "/v1/providers", classWrite},
		{"PUT", "/v1/providers/x", classWrite},
		{"POST", "/v1/shortlists", classWrite},
	} {
		if got := classify(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: class %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestFullTableKeepsALimitedClientLimited: more clients than the table holds
// must not hand a client that keeps hammering a fresh allowance (the table
// forgets the least recently seen, not everyone), and the table stays
// within its bound.
func TestFullTableKeepsALimitedClientLimited(t *testing.T) {
	clock := newFakeClock()
	const capacity = 1000
	l := newLimiter(1, 2, 1, 2, capacity, clock.now)
	for range 2 {
		l.allow("hammer", classRead)
	}
	for i := range 3*capacity + 10 {
		l.allow(fmt.Sprintf("10.0.%d.%d", i>>8&255, i&255), classRead)
		if i%(capacity/4) == 0 {
			if ok, _ := l.allow("hammer", classRead); ok {
				t.Fatalf("after %d other clients the limited client was let through", i+1)
			}
		}
	}
	if ok, _ := l.allow("hammer", classRead); ok {
		t.Fatal("after the table filled the limited client was let through")
	}
	if n := l.clients.Len(); n > capacity {
		t.Fatalf("%d clients held, want at most %d", n, capacity)
	}
}

func TestTimeLimitSetsADeadline(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(timeLimit(50 * time.Millisecond))
	r.GET("/slow", func(c *gin.Context) {
		select {
		case <-c.Request.Context().Done():
			c.Status(http.StatusServiceUnavailable)
		case <-time.After(5 * time.Second):
			c.Status(http.StatusOK)
		}
	})
	start := time.Now()
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/slow", nil))
	if w.Code != http.StatusServiceUnavailable || time.Since(start) > 2*time.Second {
		t.Fatalf("status %d after %v; want the deadline to end it", w.Code, time.Since(start))
	}
}
