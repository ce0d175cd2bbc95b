package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// orukCORSHandler lets pages on any site read every answer under /oruk, the
// router's own included: its trailing-slash redirects, 404s and 405s run
// none of the routes' handlers, and a browser drops a cross-origin answer
// without Access-Control-Allow-Origin, so a fetch of the feed's base URL
// would fail. It wraps the engine, before routing, and only for /oruk: the
// routes carrying personal data (matches, shortlists, referrals) must never
// be readable from other sites.
type orukCORSHandler struct {
	engine *gin.Engine
}

func (h *orukCORSHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "/oruk" || strings.HasPrefix(p, "/oruk/") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	h.engine.ServeHTTP(w, r)
}
