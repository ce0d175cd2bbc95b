package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/openapi"
)

// documentedQuery is, for each documented operation ("GET /v1/providers"),
// the query parameters the OpenAPI document lists: the one place they are
// declared, so a handler that reads a parameter the document does not list
// fails the contract test, and a client that sends one hears about it.
var documentedQuery = func() map[string][]string {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapi.V3, &doc); err != nil {
		panic("api: the embedded OpenAPI document: " + err.Error())
	}
	out := map[string][]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			names := []string{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			sort.Strings(names)
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out
}()

// rejectUnknownQuery applies one rule to every documented route: a query
// parameter the route does not take is a 400 naming it, rather than being
// silently ignored (a misspelt filter would otherwise return everything).
// Routes the document does not describe (the public pages) are left to
// their handlers.
func rejectUnknownQuery(c *gin.Context) error {
	if c.Request.URL.RawQuery == "" {
		return nil
	}
	method := c.Request.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	allowed, ok := documentedQuery[method+" "+openAPIPath(c.FullPath())]
	if !ok {
		return nil
	}
	var problems []directory.FieldProblem
	for name := range c.Request.URL.Query() {
		if !slices.Contains(allowed, name) {
			msg := "is not a parameter of this endpoint (it takes none)"
			if len(allowed) > 0 {
				msg = "is not a parameter of this endpoint (it takes " + strings.Join(allowed, ", ") + ")"
			}
			problems = append(problems, directory.FieldProblem{Field: name, Message: msg})
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
	return &directory.ValidationError{Problems: problems}
}
