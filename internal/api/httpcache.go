package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"

	"github.com/brokerfinder/brokerfinder/internal/api/cachepolicy"
)

// handler is the API as an http.Handler: the Gin engine behind the layers
// that work on whole responses (compression, conditional GETs, HEAD and
// the ORUK CORS header).
type handler struct {
	engine *gin.Engine
	next   http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.next.ServeHTTP(w, r) }

// wrapHTTP adds, outermost first: gzip by Accept-Encoding (klauspost's
// gzhttp, which sets Vary and skips small or already-compressed bodies),
// HEAD on every GET route, and ETag/If-None-Match on cacheable answers.
func wrapHTTP(next http.Handler) http.Handler {
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic(err) // only for invalid options, which are constant here
	}
	return gz(headAsGet(conditional(next)))
}

// cacheHeaders marks anonymous GETs of public routes cacheable (see
// cachepolicy); everything else keeps the no-store securityHeaders set, so
// nothing with personal data or health details is ever kept by a cache.
// With a token the answer may hold drafts or names, so it is not cached,
// and Vary tells shared caches the two differ.
func cacheHeaders(c *gin.Context) {
	if m := c.Request.Method; m != http.MethodGet && m != http.MethodHead {
		c.Next()
		return
	}
	policy := cachepolicy.For(openAPIPath(c.FullPath()))
	if policy == "" {
		c.Next()
		return
	}
	c.Writer.Header().Add("Vary", "Authorization")
	if c.GetHeader("Authorization") == "" {
		c.Header("Cache-Control", policy)
	}
	c.Next()
}

// openAPIPath turns a Gin route pattern (/v1/providers/:id) into the
// OpenAPI one (/v1/providers/{id}).
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// headAsGet answers HEAD as the GET of the same URL without its body, so
// every GET route takes HEAD (RFC 9110 §9.3.2) without a second route.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		next.ServeHTTP(bodyless{w}, get)
	})
}

type bodyless struct{ http.ResponseWriter }

func (b bodyless) Write(p []byte) (int, error) { return len(p), nil }

// conditional gives every cacheable GET answer (200 with a public
// Cache-Control) a strong ETag, unless its handler set one (a record's
// version), and answers 304 Not Modified when If-None-Match names it.
// Other answers pass straight through, unbuffered.
func conditional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		cw := &condWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		cw.finish(r)
	})
}

type condWriter struct {
	http.ResponseWriter
	decided, buffer bool
	body            bytes.Buffer
}

func (w *condWriter) WriteHeader(code int) {
	if w.decided {
		return
	}
	w.decided = true
	w.buffer = code == http.StatusOK && strings.Contains(w.Header().Get("Cache-Control"), "public")
	if !w.buffer {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *condWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.buffer {
		return w.body.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// WriteString is io.StringWriter, which Gin's writer uses when present.
func (w *condWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Flush sends what is buffered only for answers that are not being held
// for their ETag.
func (w *condWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.buffer {
		f.Flush()
	}
}

func (w *condWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *condWriter) finish(r *http.Request) {
	if !w.buffer {
		return
	}
	h := w.Header()
	tag := h.Get("ETag")
	if tag == "" {
		sum := sha256.Sum256(w.body.Bytes())
		tag = `"` + hex.EncodeToString(sum[:16]) + `"`
		h.Set("ETag", tag)
	}
	if noneMatch(r.Header.Get("If-None-Match"), tag) {
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(http.StatusNotModified)
		return
	}
	w.ResponseWriter.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w.ResponseWriter, &w.body)
}

// noneMatch reports whether an If-None-Match header names tag; the
// comparison is weak, as RFC 9110 §13.1.2 asks.
func noneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	tag = strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}
