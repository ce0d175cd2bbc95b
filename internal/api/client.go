package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"net/netip"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/service"
)

// clientTags returns middleware that tags each request's context with who
// asked (service.WithClient), so the fairness recorder counts a client once
// a day however often it repeats a match: the API's, a shortlist's and the
// public page's, which share this engine. The tag is an HMAC of the client
// address (c.ClientIP: the connection's address, or X-Forwarded-For from a
// trusted proxy only) under a random key made at start and held only in
// memory, so the address is never stored or logged, and a tag cannot be
// turned back into it, nor matched across restarts or servers.
func clientTags() gin.HandlerFunc {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return func(c *gin.Context) {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(clientNetwork(c.ClientIP())))
		tag := string(m.Sum(nil)[:16])
		c.Request = c.Request.WithContext(service.WithClient(c.Request.Context(), tag))
		c.Next()
	}
}

// clientNetwork is the part of an address one client controls: the address
// itself for IPv4, its /64 for IPv6, where one home or phone is given a
// whole /64 and could otherwise count as millions of clients.
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
