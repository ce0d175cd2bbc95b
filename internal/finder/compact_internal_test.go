package finder

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"unsafe"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestCompactSharesCodes: compacting changes no value, and two decoded
// records then share their codes' bytes.
func TestCompactSharesCodes(t *testing.T) {
	b, err := os.ReadFile("../../seed/leeds.json")
	if err != nil {
		t.Fatal(err)
	}
	var a, c []directory.Provider
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(a)
	for i := range a {
		compact(&a[i])
		compact(&c[i])
	}
	after, _ := json.Marshal(a)
	if string(before) != string(after) {
		t.Fatal("compacting changed a value")
	}
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a[0].Services[0].Code, c[0].Services[0].Code) || !same(a[0].Type, c[0].Type) {
		t.Fatal("codes of two decoded records do not share storage after compacting")
	}
	free := storetest.Provider("x")
	free.Name = "not a code"
	compact(&free)
	if free.Name != "not a code" {
		t.Fatal("free text changed")
	}
}

// TestCompactKeepsValues: compacting changes no value of any seed record or
// of a fully filled one, leaves alone what a shallow copy shares with its
// original, shares codes, packs the rest of the text into one block, and an
// append to a compacted list never writes into its neighbour.
func TestCompactKeepsValues(t *testing.T) {
	var ps []directory.Provider
	for _, f := range []string{"../../seed/leeds.json", "../../seed/national.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var some []directory.Provider
		if err := json.Unmarshal(b, &some); err != nil {
			t.Fatal(f, err)
		}
		ps = append(ps, some...)
	}
	ps = append(ps, storetest.Provider("full"))
	if len(ps) < 10 {
		t.Fatalf("only %d records: the test proves little", len(ps))
	}
	for i := range ps {
		orig := ps[i]
		p := &ps[i] // a shallow copy of orig, sharing its lists
		before, _ := json.Marshal(p)
		var want directory.Provider
		_ = json.Unmarshal(before, &want)
		var siteName *byte
		if len(orig.Sites) > 0 {
			siteName = unsafe.StringData(orig.Sites[0].Name)
		}
		compact(p)
		// What the copy shares with the original is left alone.
		if after, _ := json.Marshal(orig); string(after) != string(before) {
			t.Fatalf("%s: compacting a copy changed the original", p.ID)
		}
		if len(orig.Sites) > 0 && unsafe.StringData(orig.Sites[0].Name) != siteName {
			t.Fatalf("%s: compacting a copy wrote into the original's sites", p.ID)
		}
		after, _ := json.Marshal(p)
		if string(before) != string(after) {
			t.Fatalf("%s: compacting changed a value\nbefore %s\nafter  %s", p.ID, before, after)
		}
		if !reflect.DeepEqual(*p, want) {
			t.Fatalf("%s: compacted record differs from a fresh decode", p.ID)
		}
		// Name and summary now lie in one block of text, no longer than
		// the record.
		if p.Name != "" && p.Summary != "" {
			n, s := uintptr(unsafe.Pointer(unsafe.StringData(p.Name))), uintptr(unsafe.Pointer(unsafe.StringData(p.Summary)))
			if max(n, s)-min(n, s) > uintptr(len(before)) {
				t.Fatalf("%s: name and summary are not in one block", p.ID)
			}
		}
		if len(p.DeliveryModes) > 0 && cap(p.DeliveryModes) != len(p.DeliveryModes) {
			t.Fatalf("%s: a compacted list has room to grow into its neighbour", p.ID)
		}
		if len(p.DeliveryModes) > 0 && len(p.Specialisms) > 0 {
			spec := p.Specialisms[0]
			_ = append(p.DeliveryModes, "clobber")
			if p.Specialisms[0] != spec {
				t.Fatalf("%s: an append wrote into another list", p.ID)
			}
		}
	}
	if got, want := ps[0].Type, ps[1].Type; got == want && unsafe.StringData(got) != unsafe.StringData(want) {
		t.Fatal("codes are not shared after compacting")
	}
}
