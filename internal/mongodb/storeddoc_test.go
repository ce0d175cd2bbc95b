package mongodb

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// storedType is one collection's stored type, seen through its converters,
// and the goldens of its layout as the store wrote it before the type
// existed (the domain type inlined, named by its json tags): one document
// with every field set (filled), one with every field zero.
type storedType struct {
	name        string
	full, empty string
	roundTrip   func(t *testing.T)
	check       func(t *testing.T, golden string, filledValue bool)
}

func newStoredType[T, D any](name, full, empty string, to func(*T) D, from func(*D) T) storedType {
	return storedType{
		name: name, full: full, empty: empty,
		roundTrip: func(t *testing.T) {
			want := filled[T]()
			d := to(&want)
			if diff := cmp.Diff(want, from(&d)); diff != "" {
				t.Errorf("the trip through the stored shape changed it (-domain +after):\n%s", diff)
			}
		},
		check: func(t *testing.T, golden string, filledValue bool) {
			var want T
			if filledValue {
				want = filled[T]()
			}
			raw := readRawGolden(t, golden)
			var d D
			if err := bson.Unmarshal(raw, &d); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, from(&d)); diff != "" {
				t.Errorf("decoded value differs (-want +got):\n%s", diff)
			}
			written, err := bson.Marshal(to(&want))
			if err != nil {
				t.Fatal(err)
			}
			if !filledValue {
				// The empty goldens were written with an _id the zero
				// value does not have.
				written = withID(t, written, raw.Lookup("_id"))
			}
			if diff := cmp.Diff(extJSON(t, raw), extJSON(t, written)); diff != "" {
				t.Errorf("stored layout differs from the old one (-old +new):\n%s", diff)
			}
		},
	}
}

func storedTypes() []storedType {
	return []storedType{
		newStoredType("token", "token-v1.json", "token-v1-empty.json", toTokenDoc, fromTokenDoc),
		// referral-v2.json is v1 with the needs issue 17 added (optional
		// booleans, omitted when false): TestReferralV1StillReads keeps
		// the v1 documents readable.
		newStoredType("referral", "referral-v2.json", "referral-v1-empty.json", toReferralDoc, fromReferralDoc),
		newStoredType("referral event", "referral-event-v1.json", "referral-event-v1-empty.json",
			func(e *directory.ReferralEvent) referralEventDoc { return toReferralEventDoc("ref-1", e) },
			func(d *referralEventDoc) directory.ReferralEvent { return fromReferralEventRec(&d.Event) }),
		newStoredType("shortlist", "shortlist-v1.json", "shortlist-v1-empty.json", toShortlistDoc, fromShortlistDoc),
		newStoredType("audit entry", "audit-v1.json", "audit-v1-empty.json", toAuditDoc, fromAuditDoc),
		newStoredType("exposure", "exposure-v1.json", "exposure-v1-empty.json", toExposureDoc, fromExposureDoc),
		newStoredType("unmet need", "unmet-need-v1.json", "unmet-need-v1-empty.json", toUnmetNeedDoc, fromUnmetNeedDoc),
		newStoredType("webhook", "webhook-v1.json", "webhook-v1-empty.json", toWebhookDoc, fromWebhookDoc),
		newStoredType("webhook outbox", "webhook-outbox-v1.json", "webhook-outbox-v1-empty.json", toOutboxDoc, fromOutboxDoc),
		newStoredType("webhook attempt", "webhook-attempt-v1.json", "webhook-attempt-v1-empty.json", toAttemptDoc, fromAttemptDoc),
		newStoredType("staff session", "session-v1.json", "session-v1-empty.json", toSessionDoc, fromSessionDoc),
	}
}

// TestStoredTypesKeepEveryField: every field of each domain type stored
// through a type of its own survives the trip to the stored shape and back,
// so a field added to the domain type without its stored twin fails here
// rather than vanishing on write.
func TestStoredTypesKeepEveryField(t *testing.T) {
	for _, st := range storedTypes() {
		t.Run(st.name, st.roundTrip)
	}
}

// TestStoredTypesReadOldLayout reads each collection's documents as the
// store wrote them before its stored type existed, and checks the stored
// type writes the same fields, in the same order and of the same BSON
// types, so existing data directories keep working.
func TestStoredTypesReadOldLayout(t *testing.T) {
	for _, st := range storedTypes() {
		t.Run(st.name, func(t *testing.T) {
			t.Run("every field", func(t *testing.T) { st.check(t, st.full, true) })
			t.Run("no field", func(t *testing.T) { st.check(t, st.empty, false) })
		})
	}
}

func readRawGolden(t *testing.T, name string) bson.Raw {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(b, true, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return raw
}

func extJSON(t *testing.T, raw bson.Raw) string {
	t.Helper()
	b, err := bson.MarshalExtJSONIndent(raw, true, false, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withID returns doc with its _id set to id, or doc unchanged if id is
// missing.
func withID(t *testing.T, doc bson.Raw, id bson.RawValue) bson.Raw {
	t.Helper()
	if id.Type == 0 {
		return doc
	}
	var d bson.D
	if err := bson.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	for i := range d {
		if d[i].Key == "_id" {
			d[i].Value = id
		}
	}
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStoredTypesNameEveryField: the client no longer follows json tags, so
// a field of a stored type without a bson tag, or a domain struct nested in
// one, would be stored under a name the driver makes up (the Go name in
// lower case) and silently move on disk. Every stored type and everything
// it holds must name its fields itself.
func TestStoredTypesNameEveryField(t *testing.T) {
	roots := []any{
		providerDoc{}, revisionDoc{}, pendingChangeDoc{}, pendingDoc{}, bulkDoc{}, changeDoc{},
		tokenDoc{}, referralDoc{}, referralEventDoc{}, shortlistDoc{}, auditDoc{}, erasureMarker{},
		exposureDoc{}, unmetNeedDoc{}, backupHeader{}, backupSection{}, backupTrailer{},
		webhookDoc{}, outboxDoc{}, attemptDoc{}, eventMarkDoc{},
	}
	pkg := reflect.TypeFor[tokenDoc]().PkgPath()
	seen := map[reflect.Type]bool{}
	var check func(reflect.Type, string)
	check = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || typ == reflect.TypeFor[time.Time]() || seen[typ] {
			return
		}
		seen[typ] = true
		if typ.PkgPath() != pkg {
			t.Errorf("%s: %s is stored as it is, under names its own package chooses", path, typ)
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Tag.Get("bson") == "" {
				t.Errorf("%s.%s has no bson tag", typ.Name(), f.Name)
			}
			check(f.Type, typ.Name()+"."+f.Name)
		}
	}
	for _, r := range roots {
		check(reflect.TypeOf(r), reflect.TypeOf(r).Name())
	}
}

// TestReferralV1StillReads: a referral stored before the needs of issue 17
// existed decodes with every field it had, and the new needs false.
func TestReferralV1StillReads(t *testing.T) {
	var old, now referralDoc
	if err := bson.Unmarshal(readRawGolden(t, "referral-v1.json"), &old); err != nil {
		t.Fatal(err)
	}
	if err := bson.Unmarshal(readRawGolden(t, "referral-v2.json"), &now); err != nil {
		t.Fatal(err)
	}
	got := fromReferralDoc(&old)
	if got.Client.Needs == nil || got.Client.Needs.MaxTravelKm != 43.5 || got.Client.Needs.Travel != "s42" || got.ProviderID != "s3" {
		t.Fatalf("v1 referral lost fields: %+v", got)
	}
	n := got.Client.Needs
	if n.NamedAdviser || n.RegularContact || n.Age50Plus || n.EmployerIncentives || n.EmployerMediation || n.CaringResponsibilities {
		t.Errorf("v1 referral gained needs: %+v", n)
	}
	if w := fromReferralDoc(&now).Client.Needs; !w.NamedAdviser || !w.CaringResponsibilities {
		t.Errorf("v2 referral lost the new needs: %+v", w)
	}
}
