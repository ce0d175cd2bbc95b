package mongodb

import (
	"context"
	"log/slog"
	"strings"
)

// FerretDB logs every wire message it reads or writes ("Request message:",
// "Response message:") at debug, a failed command's reply at warn, and
// every SQL statement with its arguments (the documents) at debug. The
// store holds client details (referrals) and token hashes, so none of that
// may reach a log at any level, and FerretDB has no setting to stop it.
// So FerretDB logs through safeFerretHandler, which
//
//   - passes only warnings and errors (FerretDB's debug and info records
//     are all traffic: connections, messages, statements);
//   - drops wire message records whatever their level;
//   - keeps a record's first line, cut short, and only attributes whose keys
//     name things (logger name, error, connection, database, collection),
//     never values such as "args" or "value".
type safeFerretHandler struct{ h slog.Handler }

// ferretSafeKeys are the attribute keys FerretDB uses for names, never for
// document contents.
var ferretSafeKeys = map[string]bool{
	"name": true, "error": true, "conn": true, "db": true, "database": true,
	"collection": true, "count": true, "opcode": true, "type": true, "status": true,
}

// maxFerretLogLine bounds what is kept of one message or error.
const maxFerretLogLine = 200

func safeFerretLogs(h slog.Handler) slog.Handler { return &safeFerretHandler{h: h} }

func (s *safeFerretHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && s.h.Enabled(ctx, level)
}

func (s *safeFerretHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn || isWireMessage(r.Message) {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, firstLine(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a, ok := safeFerretAttr(a); ok {
			out.AddAttrs(a)
		}
		return true
	})
	return s.h.Handle(ctx, out)
}

func (s *safeFerretHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var keep []slog.Attr
	for _, a := range attrs {
		if a, ok := safeFerretAttr(a); ok {
			keep = append(keep, a)
		}
	}
	if len(keep) == 0 {
		return s
	}
	return &safeFerretHandler{h: s.h.WithAttrs(keep)}
}

func (s *safeFerretHandler) WithGroup(name string) slog.Handler {
	return &safeFerretHandler{h: s.h.WithGroup(name)}
}

// isWireMessage reports FerretDB's records of a wire message's header or
// body ("Request message:\n{...}", "Proxy response header: ...").
func isWireMessage(msg string) bool {
	for _, p := range []string{"Request ", "Response ", "Proxy response "} {
		if rest, ok := strings.CutPrefix(msg, p); ok &&
			(strings.HasPrefix(rest, "message") || strings.HasPrefix(rest, "header")) {
			return true
		}
	}
	return false
}

// safeFerretAttr returns a, reduced to a string of one short line, if its
// key is one that names things.
func safeFerretAttr(a slog.Attr) (slog.Attr, bool) {
	if !ferretSafeKeys[a.Key] || a.Value.Kind() == slog.KindGroup {
		return slog.Attr{}, false
	}
	return slog.String(a.Key, firstLine(a.Value.Resolve().String())), true
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > maxFerretLogLine {
		s = s[:maxFerretLogLine] + "..."
	}
	return s
}
