package api

import (
	"net"
	"net/netip"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// parseProxies reads Config.TrustedProxies (addresses or CIDRs, as Gin
// takes them); entries Gin would refuse are refused there too, so here
// they are skipped.
func parseProxies(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// fromTrustedProxy reports whether the connection comes from a configured
// proxy, whose X-Forwarded-* headers may be believed.
func (s *Server) fromTrustedProxy(c *gin.Context) bool {
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		host = c.Request.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hostPattern is a host name or address with an optional port: anything
// else in X-Forwarded-Host is ignored, so a link can never be bent into
// another shape.
var hostPattern = regexp.MustCompile(`^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)

// publicOrigin is the scheme and host clients reach this service by: the
// request's own, or the first X-Forwarded-Proto and X-Forwarded-Host a
// trusted proxy sent. From anyone else those headers are ignored, so a
// client cannot make the service publish links to another site.
func (s *Server) publicOrigin(c *gin.Context) (scheme, host string) {
	scheme, host = "http", c.Request.Host
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if !s.fromTrustedProxy(c) {
		return scheme, host
	}
	if p, _, _ := strings.Cut(c.GetHeader("X-Forwarded-Proto"), ","); strings.TrimSpace(p) == "http" || strings.TrimSpace(p) == "https" {
		scheme = strings.TrimSpace(p)
	}
	if h, _, _ := strings.Cut(c.GetHeader("X-Forwarded-Host"), ","); hostPattern.MatchString(strings.TrimSpace(h)) {
		host = strings.TrimSpace(h)
	}
	return scheme, host
}
