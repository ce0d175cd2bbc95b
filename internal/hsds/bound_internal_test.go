package hsds

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestDecodeWorkIsLinear: the bytes handed to the JSON decoder stay within
// a fixed multiple of the feed's size, however the feed nests: every
// wrapper is decoded once, at most maxEnvelopes of them, and a deeper feed
// is refused before any decoding.
func TestDecodeWorkIsLinear(t *testing.T) {
	svc := `{"id":"c0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"n","status":"active","description":"` + strings.Repeat("x", 1<<20) + `"}`
	wrap := func(depth int) []byte {
		return []byte(strings.Repeat(`{"contents":`, depth) + svc + strings.Repeat("}", depth))
	}
	for depth := 0; depth <= maxEnvelopes; depth++ {
		feed := wrap(depth)
		d := &feedDecoder{byID: map[string]int{}}
		if err := d.decode(feed); err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
		// In a page, this brief record is read and then skipped as a list form.
		if len(d.records)+len(d.listForms) != 1 {
			t.Fatalf("depth %d: %d records, %d skipped", depth, len(d.records), len(d.listForms))
		}
		if limit := 2 * (maxEnvelopes + 1) * len(feed); d.decoded > limit {
			t.Errorf("depth %d: decoded %d bytes of a %d-byte feed, want at most %d", depth, d.decoded, len(feed), limit)
		}
	}
	for _, depth := range []int{maxEnvelopes + 1, 2000} {
		d := &feedDecoder{byID: map[string]int{}}
		err := d.decode(wrap(depth))
		if err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("depth %d: err = %v, want refused as nested", depth, err)
		}
		if depth == 2000 && d.decoded != 0 {
			t.Errorf("depth 2000: decoded %d bytes before refusing", d.decoded)
		}
	}
}

// TestCheckBounds: brackets are counted outside strings only, escapes
// included, and the deepest allowed nesting passes.
func TestCheckBounds(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		deep bool
	}{
		"at the limit":        {strings.Repeat("[", MaxFeedDepth) + strings.Repeat("]", MaxFeedDepth), false},
		"one past":            {strings.Repeat("[", MaxFeedDepth+1) + strings.Repeat("]", MaxFeedDepth+1), true},
		"in a string":         {`["` + strings.Repeat("[", 1000) + `"]`, false},
		"after escaped quote": {`["\"` + strings.Repeat("{", 1000) + `"]`, false},
		"after escaped slash": {`["\\",` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]`, true},
	} {
		t.Run(name, func(t *testing.T) {
			err := checkBounds([]byte(tc.in))
			if (err != nil) != tc.deep {
				t.Errorf("err = %v, want refused %v", err, tc.deep)
			}
		})
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(Feed{Services: []Service{{ID: "x"}}})
	if err := checkBounds(b.Bytes()); err != nil {
		t.Errorf("a plain feed: %v", err)
	}
}
