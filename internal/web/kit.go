package web

import (
	"sync"

	"github.com/gin-gonic/gin"
)

// What the staff pages (package web/staff) share with the public ones: the
// same GOV.UK assets, served here, and the same page headers (CSP with a
// per-response nonce, no framing).

var sharedAssets = sync.OnceValue(loadAssets)

// AssetURL returns the versioned URL of one of the embedded assets
// ("app.css", "app.js") that Register serves under /assets/.
func AssetURL(name string) string { return sharedAssets().url(name) }

// PageHeaders is the public pages' header middleware: a Content-Security-
// Policy allowing only our own scripts and those with the response's nonce
// (see Nonce), and no framing.
func PageHeaders(c *gin.Context) { pageHeaders(c) }

// Nonce returns the script nonce PageHeaders chose for this response.
func Nonce(c *gin.Context) string { return c.GetString(nonceKey) }
