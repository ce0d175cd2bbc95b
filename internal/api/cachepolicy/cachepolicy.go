// Package cachepolicy says which API routes are public reads that browsers
// and proxies may cache, and which are exempt from rate limits. It is
// separate from the api package so that tools/oas3, which writes the
// OpenAPI document, declares exactly what the server does without
// importing Gin.
package cachepolicy

import "strings"

// PublicRead is the Cache-Control of public data: shared caches may keep
// it a minute and serve it stale for five more while they check it again
// (with If-None-Match), so an edit shows within minutes.
const PublicRead = "public, max-age=60, stale-while-revalidate=300"

// Documentation is the Cache-Control of the OpenAPI documents and the
// documentation page, which change only with the binary.
const Documentation = "public, max-age=3600"

// publicReads are the route patterns (OpenAPI style) whose GET answers are
// the same for everyone without a token: the directory's public data.
var publicReads = []string{
	"/v1/vocabularies", "/v1/providers", "/v1/providers/{id}", "/v1/search",
}

// For is the Cache-Control of an anonymous GET of the route pattern path,
// or "" when it is not cacheable (the API's default is no-store).
func For(path string) string {
	switch {
	case Static(path):
		return Documentation
	case path == "/oruk" || strings.HasPrefix(path, "/oruk/"):
		return PublicRead
	}
	for _, p := range publicReads {
		if p == path {
			return PublicRead
		}
	}
	return ""
}

// Static reports whether path is the documentation: the OpenAPI documents
// and the page that shows them, which never touch the store.
func Static(path string) bool {
	return path == "/docs" || strings.HasPrefix(path, "/docs/") || strings.HasPrefix(path, "/openapi/")
}

// FreePrefixes are never rate limited: health checks (load balancers poll
// them), static files and documentation.
var FreePrefixes = []string{"/healthz", "/readyz", "/assets/", "/docs", "/openapi/", "/embed.js"}

// Free reports whether requests to path are never rate limited.
func Free(path string) bool {
	for _, p := range FreePrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
