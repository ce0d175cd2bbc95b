package staff

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// staffJS adds conveniences to pages that work without it: a print button
// and filter boxes over the long pickers (languages, access needs).
//
//go:embed staff.js
var staffJS []byte

func (s *server) script(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", staffJS)
}
