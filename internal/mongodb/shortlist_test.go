package mongodb

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestOldShortlistExplanationsDroppedOnRead stores a shortlist as older
// versions did, with the match's explanations and scores (made from the
// client's needs), and checks that reading it shows none of them.
func TestOldShortlistExplanationsDroppedOnRead(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := StartEmbedded(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	s, err := e.Open(ctx, "shortlists_old", quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	now := time.Now()
	old := bson.D{{Key: "_id", Value: "K7QX3MPD"}, {Key: "code", Value: "K7QX3MPD"}, {Key: "district", Value: "LS6"},
		{Key: "items", Value: bson.A{bson.D{{Key: "provider_id", Value: "p1"}, {Key: "name", Value: "One"}, {Key: "rank", Value: 1},
			{Key: "score", Value: 40}, {Key: "met", Value: bson.A{"Specialises in epilepsy"}},
			{Key: "partly_met", Value: bson.A{}}, {Key: "not_met", Value: bson.A{"Does not specialise in mental health"}},
			{Key: "flags", Value: bson.A{"telephone_only"}}}}},
		{Key: "created_at", Value: now}, {Key: "expires_at", Value: now.Add(time.Hour)}, {Key: "created_by", Value: "tok"}}
	if _, err := s.shortlists.InsertOne(ctx, old); err != nil {
		t.Fatal(err)
	}
	sl, err := s.Shortlist(ctx, "K7QX3MPD")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sl)
	for _, text := range []string{"epilepsy", "mental health", `"score"`, `"met"`, `"not_met"`} {
		if strings.Contains(string(b), text) {
			t.Errorf("old shortlist read back with %s: %s", text, b)
		}
	}
	if len(sl.Items) != 1 || sl.Items[0].ProviderID != "p1" || sl.Items[0].Flags[0] != "telephone_only" {
		t.Errorf("old shortlist read back as %s", b)
	}
}
