package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// limiter is a token bucket per client: rate tokens a second, up to burst.
// Clients are told apart by their address (the API trusts no forwarding
// headers unless configured to), so one client cannot starve the rest.
type limiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the memory a flood of addresses can take; beyond it,
// idle buckets (which would be full again anyway) are dropped.
const maxBuckets = 50_000

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: perSecond, burst: float64(max(burst, 1)), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is free.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// evict drops buckets idle long enough to have refilled.
func (l *limiter) evict(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets { // all busy: start afresh rather than grow
		l.buckets = map[string]*bucket{}
	}
}

var errRateLimited = &apiError{http.StatusTooManyRequests, "rate_limited", "Too many requests from your address. Please wait a moment and try again."}

// rateLimit refuses requests over the client's rate with 429 and
// Retry-After.
func (s *Server) rateLimit(c *gin.Context) error {
	if s.limiter == nil {
		return nil
	}
	ok, wait := s.limiter.allow(c.ClientIP())
	if !ok {
		c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		return errRateLimited
	}
	return nil
}

// timeLimit gives every request a deadline: a slow store or a costly query
// ends with 503 instead of holding a connection and a goroutine.
func timeLimit(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
