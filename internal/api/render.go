package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// writeJSON answers with v as JSON. Gin's c.JSON marshals into a new
// buffer for every response (json.Marshal copies its pooled buffer out);
// a search page is 30-40 KB, and at 100,000 providers those copies were an
// eighth of everything a search allocated, so of the garbage collector's
// work. An Encoder writes straight from encoding/json's pooled buffer, in
// one Write once the whole value is encoded, so a value that cannot be
// encoded still leaves the response untouched. The only difference on the
// wire is a final newline.
func writeJSON(c *gin.Context, code int, v any) {
	c.Render(code, jsonRender{v})
}

type jsonRender struct{ v any }

func (r jsonRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return json.NewEncoder(w).Encode(r.v)
}

func (jsonRender) WriteContentType(w http.ResponseWriter) {
	if h := w.Header(); len(h["Content-Type"]) == 0 {
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
	}
}
