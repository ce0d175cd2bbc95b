package mongodb

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestSafeFerretLogsDropBodies: FerretDB's records of wire messages and SQL
// arguments never pass, at any level; its warnings do, without values.
func TestSafeFerretLogsDropBodies(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(safeFerretLogs(deferAttrs(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	l.Debug("Request message:\n{insert: {client: {name: SECRET1}}}")
	l.Warn("Response message:\n{ok: 0, errmsg: SECRET2}")
	l.Warn("Response header: length: 10")
	l.With(slog.Any("args", []any{"SECRET3"})).Warn("INSERT INTO t VALUES (?)")
	l.Info("connection accepted SECRET4")
	l.Warn("Failed to set deadline", "error", errors.New("broken pipe\nSECRET5"), "value", "SECRET6")
	out := buf.String()
	for _, s := range []string{"SECRET", "Response", "Request"} {
		if strings.Contains(out, s) {
			t.Errorf("log holds %q:\n%s", s, out)
		}
	}
	for _, s := range []string{"Failed to set deadline", "broken pipe", "INSERT INTO t"} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}
}
