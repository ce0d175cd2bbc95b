package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// registerWorkflow adds the adviser and provider workflows: tokens,
// shortlists, referrals, self-service, history, freshness and the fairness
// reports. Each route names the roles it admits; handlers narrow further
// (a provider editor acts only for their own provider).
func (s *Server) registerWorkflow(v1 *gin.RouterGroup) {
	admin := s.require(directory.RoleAdmin)
	v1.POST("/admin/tokens", admin, s.handle(s.createToken))
	v1.GET("/admin/tokens", admin, s.handle(s.listTokens))
	v1.DELETE("/admin/tokens/:id", admin, s.handle(s.revokeToken))
	v1.GET("/admin/audit", admin, s.handle(s.listAudit))
	v1.GET("/admin/stale", admin, s.handle(s.listStale))
	v1.GET("/admin/exposure", admin, s.handle(s.exposureReport))
	v1.GET("/admin/unmet-need", admin, s.handle(s.unmetNeedReport))
	v1.GET("/admin/index", admin, s.handle(s.indexState))

	v1.POST("/shortlists", s.require(directory.RoleAdviser), s.handle(s.createShortlist))
	// No publicRead: a shortlist is for the client who holds its code,
	// not for pages on other sites to read.
	v1.GET("/shortlists/:code", s.handle(s.getShortlist))

	parties := s.require(directory.RoleAdviser, directory.RoleProviderEditor)
	v1.POST("/referrals", s.require(directory.RoleAdviser), s.handle(s.createReferral))
	v1.GET("/referrals", s.require(directory.RoleAdviser, directory.RoleProviderEditor, directory.RoleAdmin), s.handle(s.listReferrals))
	v1.GET("/referrals/:id", s.require(directory.RoleAdviser, directory.RoleProviderEditor, directory.RoleAdmin), s.handle(s.getReferral))
	v1.POST("/referrals/:id/transitions", parties, s.handle(s.transitionReferral))
	v1.POST("/referrals/:id/withdraw-consent", parties, s.handle(s.withdrawConsent))

	editors := s.require(directory.RoleAdmin, directory.RoleProviderEditor)
	v1.POST("/providers/:id/verify", editors, s.handle(s.verifyProvider))
	v1.GET("/providers/:id/history", editors, s.handle(s.providerHistory))
	v1.POST("/providers/:id/revert", admin, s.handle(s.revertProvider))

	v1.GET("/admin/changes", admin, s.handle(s.listChanges))
	v1.GET("/admin/changes/:id", admin, s.handle(s.getChange))
	v1.POST("/admin/changes/:id/approve", admin, s.handle(s.approveChange))
	v1.POST("/admin/changes/:id/reject", admin, s.handle(s.rejectChange))
	v1.GET("/providers/:id/pending-change", editors, s.handle(s.providerPendingChange))
	v1.DELETE("/providers/:id/pending-change", editors, s.handle(s.withdrawPendingChange))
}

var errGone = &apiError{http.StatusGone, "gone", "This shortlist has expired: shortlists can be opened for 30 days. Ask your adviser for a new one."}

func forbidden(message string) error {
	return &apiError{http.StatusForbidden, "forbidden", message}
}

// Page is the paging part of a list response.
type Page struct {
	Total   int64 `json:"total"`
	Page    int   `json:"page"`
	PerPage int   `json:"per_page"`
} // @name Page

// paging reads page and per_page.
func paging(c *gin.Context) (int, int, error) {
	page, per, problems := pagingProblems(c)
	if len(problems) > 0 {
		return 0, 0, &directory.ValidationError{Problems: problems}
	}
	return page, per, nil
}

// pagingProblems reads page and per_page by the one paging rule every
// list follows, and says what is wrong with them, for handlers that report
// them with other problems: page from 1 to directory.MaxPage, per_page of 1
// or more, cut to directory.MaxPerPage (the answer's per_page says so);
// anything else is a problem naming the parameter.
func pagingProblems(c *gin.Context) (page, per int, problems []directory.FieldProblem) {
	page, p := queryInt(c, "page", 1, 1, directory.MaxPage)
	if p != nil {
		problems = append(problems, *p)
	}
	per, p = queryInt(c, "per_page", directory.DefaultPerPage, 1, math.MaxInt)
	if p != nil {
		p.Message = fmt.Sprintf("must be a whole number of 1 or more (at most %d are returned)", directory.MaxPerPage)
		problems = append(problems, *p)
	}
	return page, min(per, directory.MaxPerPage), problems
}

// setLinks adds RFC 8288 Link headers to a page of a GET list: next when
// there are more items after this page, prev when this is not the first,
// each the request's own URL with page changed.
func setLinks(c *gin.Context, page, per int, total int64) {
	link := func(n int, rel string) string {
		u := *c.Request.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		u.RawQuery = q.Encode()
		return "<" + u.RequestURI() + `>; rel="` + rel + `"`
	}
	var links []string
	if int64(page)*int64(per) < total && page < directory.MaxPage {
		links = append(links, link(page+1, "next"))
	}
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if len(links) > 0 {
		c.Header("Link", strings.Join(links, ", "))
	}
}
