package service

import "context"

type clientKey struct{}

// WithClient returns ctx carrying who asked for a match: an opaque tag that
// tells one client apart from another (a keyed hash of their address, made
// by the front end) and never the address itself. The fairness recorder
// counts a tag once a day per area and provider, so one client repeating a
// search cannot inflate the reports. A match whose ctx carries no tag is
// counted every time (commands and tests; every HTTP request has one).
func WithClient(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, clientKey{}, tag)
}

// ClientFrom returns the tag WithClient put in ctx, or "".
func ClientFrom(ctx context.Context) string {
	tag, _ := ctx.Value(clientKey{}).(string)
	return tag
}
