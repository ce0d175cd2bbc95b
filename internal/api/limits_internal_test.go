package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestLimiterRefillsAtItsRate(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(2, 3) // 2 a second, bursts of 3
	l.now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("4th request: allowed %v, wait %v; want refused, wait up to 0.5 s", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another client must have its own bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("after half a second one token is back")
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("only one token came back")
	}
}

func TestLimiterBoundsMemory(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(1, 1)
	l.now = func() time.Time { return now }
	for i := range maxBuckets + 10 {
		now = now.Add(time.Millisecond)
		l.allow(string(rune(i)) + "x")
	}
	if len(l.buckets) > maxBuckets {
		t.Fatalf("%d buckets, want at most %d", len(l.buckets), maxBuckets)
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
