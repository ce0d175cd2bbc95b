package mongodb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestStaffSessions: a session is stored, read, touched and deleted by its
// id, and the sweep removes exactly the ones past their absolute end or
// idle too long.
func TestStaffSessions(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := StartEmbedded(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	s, err := e.Open(ctx, "sessions", quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })

	now := time.Now().UTC().Truncate(time.Millisecond)
	mk := func(id string, lastSeen, expires time.Time) {
		t.Helper()
		err := s.CreateSession(ctx, &directory.StaffSession{ID: id, TokenID: "tok", Name: "Ada", Role: directory.RoleAdviser,
			Method: "access_key", CreatedAt: now.Add(-time.Hour), LastSeen: lastSeen, ExpiresAt: expires})
		if err != nil {
			t.Fatal(err)
		}
	}
	mk("live", now, now.Add(time.Hour))
	mk("idle", now.Add(-31*time.Minute), now.Add(time.Hour))
	mk("ended", now, now.Add(-time.Second))
	if err := s.CreateSession(ctx, &directory.StaffSession{ID: "live"}); !errors.Is(err, directory.ErrConflict) {
		t.Errorf("a second session with the same id: %v, want ErrConflict", err)
	}

	got, err := s.Session(ctx, "live")
	if err != nil || got.Name != "Ada" || !got.LastSeen.Equal(now) {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	later := now.Add(5 * time.Minute)
	if err := s.TouchSession(ctx, "live", later); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, "live"); !got.LastSeen.Equal(later) {
		t.Errorf("LastSeen = %v after touching, want %v", got.LastSeen, later)
	}
	if err := s.TouchSession(ctx, "nobody", later); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("touching a missing session: %v, want ErrNotFound", err)
	}

	n, err := s.DeleteSessionsBefore(ctx, now, now.Add(-30*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("sweep removed %d (%v), want 2", n, err)
	}
	for id, want := range map[string]bool{"live": true, "idle": false, "ended": false} {
		_, err := s.Session(ctx, id)
		if (err == nil) != want {
			t.Errorf("after the sweep, %s: %v, want kept=%v", id, err, want)
		}
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "live"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("after DeleteSession: %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "live"); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
}
