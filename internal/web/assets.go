package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// The files under assets/ are GOV.UK Frontend's built CSS and JS (copied by
// scripts/update-web-assets.sh, committed so no npm is needed to build) and
// our own scripts.
//
//go:embed assets
var assetFS embed.FS

// assetSet serves the embedded files. URLs carry a hash of the content
// (?v=...), so a long cache lifetime is safe: a new release changes the URL.
type assetSet struct {
	files   map[string][]byte
	version map[string]string
}

var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".txt":   "text/plain; charset=utf-8",
}

func loadAssets() *assetSet {
	a := &assetSet{files: map[string][]byte{}, version: map[string]string{}}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		a.files[strings.TrimPrefix(p, "assets/")] = b
		return nil
	})
	if err != nil {
		panic("web: reading embedded assets: " + err.Error())
	}
	// app.js imports GOV.UK Frontend; point it at the versioned URL so the
	// two are cached and replaced together.
	a.setVersion("govuk-frontend.min.js")
	a.files["app.js"] = []byte(strings.ReplaceAll(string(a.files["app.js"]),
		"./govuk-frontend.min.js", a.url("govuk-frontend.min.js")))
	for name := range a.files {
		a.setVersion(name)
	}
	return a
}

func (a *assetSet) setVersion(name string) {
	sum := sha256.Sum256(a.files[name])
	a.version[name] = hex.EncodeToString(sum[:6])
}

// url returns the versioned URL of an embedded file.
func (a *assetSet) url(name string) string {
	return "/assets/" + name + "?v=" + a.version[name]
}

func (s *server) asset(c *gin.Context) {
	name := strings.TrimPrefix(path.Clean(c.Param("file")), "/")
	b, ok := s.assets.files[name]
	if !ok {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("Not found"))
		return
	}
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		ct = "application/octet-stream"
	}
	h := c.Writer.Header()
	if c.Query("v") == s.assets.version[name] {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	// Fonts and scripts may be used by pages embedding a listing.
	h.Set("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, ct, b)
}
