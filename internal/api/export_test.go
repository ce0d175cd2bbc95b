package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Engine returns the Gin engine behind a handler made by New, so tests can
// list its routes.
func Engine(h http.Handler) *gin.Engine {
	return h.(*handler).engine
}
