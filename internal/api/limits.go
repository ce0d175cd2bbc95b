package api

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"

	"github.com/brokerfinder/brokerfinder/internal/api/cachepolicy"
)

// Default rates, per client address. Reads get a large burst because the
// ORUK validator (and any directory harvesting a feed) fetches the list
// pages and up to ten records of each endpoint, five at a time, about 55
// requests at once; each is answered from the in-memory catalogue. Matches
// score every eligible provider, so they, and writes, keep the tighter
// rate.
const (
	DefaultRateLimit     = 20
	DefaultRateBurst     = 40
	DefaultReadRateLimit = 30
	DefaultReadRateBurst = 120
)

// routeClass is what a request costs; each client has an allowance per
// class, so a burst of reads does not use up the allowance for matches.
type routeClass int

const (
	classFree  routeClass = iota // health checks, static files, documentation
	classRead                    // GET, HEAD and OPTIONS: public data, the pages, staff reads
	classMatch                   // POST /v1/match and the public page's results
	classWrite                   // every other request
	numClasses
)

// freePrefixes are never limited: health checks (load balancers poll them),
// static files and documentation.
var freePrefixes = cachepolicy.FreePrefixes

// classify says which allowance a request draws on.
func classify(method, path string) routeClass {
	for _, free := range freePrefixes {
		if strings.HasPrefix(path, free) {
			return classFree
		}
	}
	switch {
	case method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions:
		return classRead
	case method == http.MethodPost && (path == "/v1/match" || path == "/results"):
		return classMatch
	}
	return classWrite
}

// maxClients bounds the memory a flood of addresses can take. Beyond it the
// least recently seen client is forgotten (its next request starts with a
// full allowance), never a busy one and never all of them.
const maxClients = 50_000

// limiter is a token bucket per client and class. Clients are told apart by
// their address (the API trusts no forwarding headers unless configured
// to), so one client cannot starve the rest.
type limiter struct {
	limits  [numClasses]rate.Limit
	bursts  [numClasses]int
	now     func() time.Time
	clients *lru.Cache[string, *client]
}

// client holds one address's buckets, one per class (nil: not limited).
type client [numClasses]*rate.Limiter

// newLimiter limits reads to read requests a second in bursts of
// readBurst, and matches and writes to perSecond in bursts of burst, each
// class counted apart. A rate of 0 leaves the class unlimited.
func newLimiter(perSecond float64, burst int, read float64, readBurst int, capacity int, now func() time.Time) *limiter {
	clients, err := lru.New[string, *client](capacity)
	if err != nil {
		panic(err) // only for a capacity below 1, a programming error
	}
	l := &limiter{now: now, clients: clients}
	l.limits[classRead], l.bursts[classRead] = rate.Limit(read), max(readBurst, 1)
	for _, c := range []routeClass{classMatch, classWrite} {
		l.limits[c], l.bursts[c] = rate.Limit(perSecond), max(burst, 1)
	}
	return l
}

// allow takes a token from key's bucket for class, or says how long until
// one is free.
func (l *limiter) allow(key string, class routeClass) (bool, time.Duration) {
	if l.limits[class] <= 0 {
		return true, 0
	}
	now := l.now()
	cl, ok := l.clients.Get(key)
	if !ok {
		cl = new(client)
		for c := range cl {
			if l.limits[c] > 0 {
				cl[c] = rate.NewLimiter(l.limits[c], l.bursts[c])
			}
		}
		// Another request from the same address may have added it since.
		if prev, found, _ := l.clients.PeekOrAdd(key, cl); found {
			cl = prev
		}
	}
	b := cl[class]
	if b.AllowN(now, 1) {
		return true, 0
	}
	wait := (1 - b.TokensAt(now)) / float64(b.Limit())
	return false, time.Duration(wait * float64(time.Second))
}

var errRateLimited = &apiError{http.StatusTooManyRequests, "rate_limited", "Too many requests from your address. Please wait a moment and try again."}

// limitRequests refuses requests over the client's rate for their class
// with 429 and Retry-After.
func (s *Server) limitRequests(c *gin.Context) error {
	if s.limiter == nil {
		return nil
	}
	class := classify(c.Request.Method, c.Request.URL.Path)
	if class == classFree {
		return nil
	}
	ok, wait := s.limiter.allow(c.ClientIP(), class)
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
