package mongodb

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// deferAttrs must log what the wrapped handler would, only later.
func TestDeferAttrsLogsLikeTheHandler(t *testing.T) {
	var direct, deferred bytes.Buffer
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	opts := &slog.HandlerOptions{ReplaceAttr: noTime}
	for _, c := range []struct {
		buf *bytes.Buffer
		l   *slog.Logger
	}{
		{&direct, slog.New(slog.NewTextHandler(&direct, opts))},
		{&deferred, slog.New(deferAttrs(slog.NewTextHandler(&deferred, opts)))},
	} {
		parent := c.l.With("component", "ferretdb").WithGroup("conn")
		a := parent.With("a", 1)
		b := parent.With("b", 2) // a sibling must not see a's attributes
		a.Info("one", "x", "y")
		b.Warn("two")
		b.With("args", []string{"big"}).Debug("dropped")
		c.l.WithGroup("").With().Info("three")
	}
	if direct.String() != deferred.String() {
		t.Fatalf("deferred handler wrote\n%s\nthe handler itself\n%s", deferred.String(), direct.String())
	}
	if strings.Contains(direct.String(), "dropped") || !strings.Contains(direct.String(), "conn.b=2") {
		t.Fatalf("unexpected log:\n%s", direct.String())
	}
}
