package mongodb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// filledStore writes something into every collection: providers with
// several versions (revisions, changes), tokens, shortlists, referrals with
// and without erased consent, audit entries, exposure and unmet need.
func filledStore(t *testing.T) *Store {
	t.Helper()
	s := openTestStore(t, embeddedURI)
	actor := directory.Actor{ID: "tok-admin", Name: "Admin", Role: directory.RoleAdmin}
	ctx := directory.WithActor(context.Background(), actor)
	var ids []string
	for i := range 3 {
		p := storetest.Provider(fmt.Sprintf("Backup Provider %d", i))
		if i == 1 {
			p = storetest.PolygonProvider(p.Name) // polygons, in revisions too
		}
		if err := s.CreateProvider(ctx, &p); err != nil {
			t.Fatal(err)
		}
		for v := range i + 1 {
			p.Summary = fmt.Sprintf("Version %d", v+2)
			if err := s.UpdateProvider(ctx, &p, p.Version); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, p.ID)
	}
	for _, tok := range []directory.Token{
		{Name: "ops", Role: directory.RoleAdmin, Hash: "hash-1"},
		{Name: "adviser", Role: directory.RoleAdviser, Hash: "hash-2"},
	} {
		if err := s.CreateToken(ctx, &tok); err != nil {
			t.Fatal(err)
		}
	}
	sl := directory.Shortlist{District: "LS6", Total: 1, CreatedBy: "tok-adviser",
		Items: []directory.ShortlistItem{{ProviderID: ids[0], Name: "Backup Provider 0", Rank: 1}}}
	if err := s.CreateShortlist(ctx, &sl); err != nil {
		t.Fatal(err)
	}
	for i, erase := range []bool{false, true} {
		r := storetest.Referral(ids[i])
		if err := s.CreateReferral(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if erase {
			if _, err := s.UpdateReferral(ctx, r.ID, directory.ReferralEvent{Version: r.Version + 1, Erase: true, By: actor}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.AppendAudit(ctx, &directory.AuditEntry{At: time.Now().UTC().Truncate(time.Millisecond), Actor: actor,
		Action: "provider.update", TargetType: "provider", TargetID: ids[0], Version: 2}); err != nil {
		t.Fatal(err)
	}
	held := storetest.PolygonProvider("Backup Provider 1") // a proposal holds a whole record
	held.ID, held.Coverage = ids[1], directory.Coverage{National: true}
	if _, err := s.ProposeChange(ctx, &directory.PendingChange{ProviderID: ids[1], BaseVersion: 3, Fields: []string{"coverage"},
		Proposed: held, ProposedBy: actor}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddExposure(ctx, []directory.ExposureCount{{Area: "LS6", ProviderID: ids[0], Shown: 3, Top3: 2, Chosen: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUnmetNeed(ctx, []directory.UnmetNeedCount{{Area: "LS6", Need: "money_help:debt", Count: 2}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// allDocuments reads every collection, documents in _id order.
func allDocuments(t *testing.T, s *Store) map[string][]bson.Raw {
	t.Helper()
	ctx := context.Background()
	names, err := s.collectionNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]bson.Raw{}
	for _, name := range names {
		cur, err := s.db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		docs := []bson.Raw{}
		for cur.Next(ctx) {
			docs = append(docs, append(bson.Raw(nil), cur.Current...))
		}
		if err := cur.Err(); err != nil {
			t.Fatal(err)
		}
		// Order by _id as bytes: the same order in both stores.
		sortRaw(docs)
		out[name] = docs
	}
	return out
}

func sortRaw(docs []bson.Raw) {
	key := func(d bson.Raw) string { return d.Lookup("_id").String() }
	for i := 1; i < len(docs); i++ {
		for j := i; j > 0 && key(docs[j]) < key(docs[j-1]); j-- {
			docs[j], docs[j-1] = docs[j-1], docs[j]
		}
	}
}

// TestBackupRestoreRoundTrip: a backup restored into a fresh store
// reproduces every collection byte for byte, and the restored store works.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := filledStore(t)
	want := allDocuments(t, src)
	for _, name := range []string{providersCollection, revisionsCollection, changesCollection, tokensCollection,
		shortlistsCollection, referralsCollection, referralEventsCollection, auditCollection, exposureCollection, unmetNeedCollection,
		pendingChangesCollection} {
		if len(want[name]) == 0 {
			t.Fatalf("the filled store has no %s: the round trip would not test them", name)
		}
	}
	var buf bytes.Buffer
	rep, err := src.Backup(ctx, &buf)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for name, docs := range want {
		if rep.Counts[name] != len(docs) {
			t.Errorf("backup counted %d %s, the store holds %d", rep.Counts[name], name, len(docs))
		}
		total += len(docs)
	}
	if rep.Documents() != total {
		t.Fatalf("backup holds %d documents, want %d", rep.Documents(), total)
	}
	backup := buf.Bytes()

	dst := openTestStore(t, embeddedURI)
	if _, err := dst.Restore(ctx, bytes.NewReader(backup)); err != nil {
		t.Fatal(err)
	}
	got := allDocuments(t, dst)
	if len(got) != len(want) {
		t.Fatalf("restored collections %d, want %d", len(got), len(want))
	}
	for name, docs := range want {
		if len(got[name]) != len(docs) {
			t.Errorf("%s: %d documents restored, want %d", name, len(got[name]), len(docs))
			continue
		}
		for i := range docs {
			if !bytes.Equal(docs[i], got[name][i]) {
				t.Errorf("%s document %d differs:\nwant %s\ngot  %s", name, i, docs[i], got[name][i])
			}
		}
	}

	// The restored store works: reads, the change log, a new write after
	// the restored log.
	ps, n, err := dst.ListProviders(ctx, directory.ProviderFilter{Page: 1, PerPage: 10})
	if err != nil || n != 3 {
		t.Fatalf("list after restore: %d, %v", n, err)
	}
	p, err := dst.Provider(ctx, ps[2].ID)
	if err != nil || p.Version < 2 {
		t.Fatalf("provider after restore: %+v, %v", p, err)
	}
	// The provider with polygons reads back as it was, and so does its
	// history.
	srcPoly, err := src.Provider(ctx, ps[1].ID)
	if err != nil || len(srcPoly.Coverage.Polygons) == 0 {
		t.Fatalf("source provider with polygons: %+v, %v", srcPoly, err)
	}
	if diff := cmp.Diff(srcPoly, &ps[1]); diff != "" {
		t.Errorf("restored provider with polygons differs (-backed up +restored):\n%s", diff)
	}
	wantHist, err := src.ProviderHistory(ctx, ps[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	gotHist, err := dst.ProviderHistory(ctx, ps[1].ID)
	if err != nil || len(gotHist) != 3 || len(gotHist[0].Provider.Coverage.Polygons) == 0 {
		t.Fatalf("restored history of the provider with polygons: %+v, %v", gotHist, err)
	}
	if diff := cmp.Diff(wantHist, gotHist); diff != "" {
		t.Errorf("restored history differs (-backed up +restored):\n%s", diff)
	}
	last, err := dst.LastChange(ctx)
	if err != nil || last != 3+1+2+3 {
		t.Fatalf("change log ends at %d (%v), want 9", last, err)
	}
	cs, err := dst.Changes(ctx, 0, 100)
	if err != nil || len(cs) != 9 {
		t.Fatalf("changes after restore: %d, %v", len(cs), err)
	}
	p.Summary = "Written after the restore"
	if err := dst.UpdateProvider(ctx, p, p.Version); err != nil {
		t.Fatal(err)
	}
	if cs, err := dst.Changes(ctx, last, 10); err != nil || len(cs) != 1 || cs[0].Seq != last+1 || cs[0].ProviderID != p.ID {
		t.Fatalf("the change of a write after the restore: %+v, %v", cs, err)
	}
	if tok, err := dst.TokenByHash(ctx, "hash-2"); err != nil || tok.Name != "adviser" {
		t.Fatalf("token after restore: %+v, %v", tok, err)
	}

	// Only into an empty store; a damaged backup is refused.
	if _, err := dst.Restore(ctx, bytes.NewReader(backup)); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore into a store with data: %v, want ErrNotEmpty", err)
	}
	for name, b := range map[string][]byte{
		"truncated":   backup[:len(backup)-10],
		"no trailer":  backup[:len(backup)-len(trailerOf(t, backup))],
		"not backup":  []byte("{\"services\": []}"),
		"empty input": nil,
	} {
		fresh := openTestStore(t, embeddedURI)
		if _, err := fresh.Restore(ctx, bytes.NewReader(b)); !errors.Is(err, directory.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// trailerOf returns the backup's last document.
func trailerOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var last []byte
	for len(b) > 0 {
		n := int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		last, b = b[:n], b[n:]
	}
	return last
}
