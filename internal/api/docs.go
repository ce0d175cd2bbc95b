package api

import (
	"embed"
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/api/cachepolicy"
	"github.com/brokerfinder/brokerfinder/openapi"
)

// docsFS is the API documentation page: Swagger UI from the npm package
// swagger-ui-dist (copied by scripts/update-docs-assets.sh), served from the
// binary so the page works offline and loads nothing from another origin.
//
//go:embed docs
var docsFS embed.FS

// docsCSP allows the page to load only this origin's scripts, styles and
// document; Swagger UI's icons are inline SVG or data: images.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// registerDocs serves the OpenAPI document and the documentation page.
func (s *Server) registerDocs(r *gin.Engine) {
	r.GET("/openapi/swagger.json", s.handle(s.openAPIDocument))
	r.GET("/openapi/openapi.json", s.handle(s.openAPI3Document))
	r.GET("/openapi/oruk.json", s.handle(s.orukOpenAPIDocument))
	r.GET("/docs", s.handle(s.docsPage))
	r.GET("/docs/:file", s.handle(s.docsAsset))
}

// openAPIDocument godoc
//
//	@Summary		The OpenAPI document
//	@Description	This API's OpenAPI (Swagger 2.0) document, as committed in openapi/swagger.json.
//	@Tags			reference
//	@Produce		json
//	@Success		200	{object}	object
//	@Router			/openapi/swagger.json [get]
func (s *Server) openAPIDocument(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapi.JSON)
	return nil
}

// openAPI3Document godoc
//
//	@Summary		The OpenAPI 3 document
//	@Description	This API's OpenAPI 3.0 document, as committed in openapi/openapi.json: the one to generate clients from.
//	@Tags			reference
//	@Produce		json
//	@Success		200	{object}	object
//	@Router			/openapi/openapi.json [get]
func (s *Server) openAPI3Document(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapi.V3)
	return nil
}

// orukOpenAPIDocument godoc
//
//	@Summary		The OpenAPI 3 document of the ORUK endpoints
//	@Description	The Open Referral UK endpoints alone, as committed in openapi/oruk.json; the ORUK root's openapi_url.
//	@Tags			reference
//	@Produce		json
//	@Success		200	{object}	object
//	@Router			/openapi/oruk.json [get]
func (s *Server) orukOpenAPIDocument(c *gin.Context) error {
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapi.ORUK)
	return nil
}

// docsPage godoc
//
//	@Summary		API documentation page
//	@Description	Swagger UI over /openapi/openapi.json, served from the binary.
//	@Tags			reference
//	@Produce		html
//	@Success		200	{string}	string	"HTML page"
//	@Router			/docs [get]
func (s *Server) docsPage(c *gin.Context) error {
	return serveDoc(c, "index.html")
}

// docsAsset godoc
//
//	@Summary		A file of the documentation page
//	@Description	Scripts, styles and images the documentation page uses.
//	@Tags			reference
//	@Produce		octet-stream
//	@Param			file	path		string	true	"File name, such as swagger-ui.css"
//	@Success		200		{file}		file
//	@Failure		404		{object}	ErrorResponse
//	@Router			/docs/{file} [get]
func (s *Server) docsAsset(c *gin.Context) error {
	name := c.Param("file")
	if name == "index.html" || name != path.Base(name) {
		return errRoute
	}
	return serveDoc(c, name)
}

func serveDoc(c *gin.Context, name string) error {
	b, err := docsFS.ReadFile("docs/" + name)
	if err != nil {
		return errRoute
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Header("Content-Security-Policy", docsCSP)
	// The page's files change only with the binary; the API's no-store
	// header would make every visit download 2 MB again.
	c.Header("Cache-Control", cachepolicy.Documentation)
	c.Data(http.StatusOK, ct, b)
	return nil
}
