package hsds_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/brokerfinder/brokerfinder/internal/hsds"
)

// nestedFeed is a page envelope nested depth deep around one service whose
// description pads the feed to about size bytes: the shape that made each
// level re-read everything below it.
func nestedFeed(depth, size int) []byte {
	var b bytes.Buffer
	for range depth {
		b.WriteString(`{"contents":`)
	}
	b.WriteString(`{"id":"c0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"Deep","status":"active","description":"`)
	b.WriteString(strings.Repeat("x", max(0, size-b.Len()-depth-3)))
	b.WriteString(`"}`)
	b.WriteString(strings.Repeat("}", depth))
	return b.Bytes()
}

// TestImportRefusesDeepFeeds: a feed nested deeper than any ORUK shape
// needs is refused, quickly and with a message saying why, whether the
// nesting is in envelopes or inside a record, and even in a large feed.
func TestImportRefusesDeepFeeds(t *testing.T) {
	inRecord := `{"services":[{"id":"c0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"n","status":"active","x":` +
		strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}]}`
	for name, feed := range map[string][]byte{
		"envelopes 2,000 deep in 1 MiB": nestedFeed(2000, 1<<20),
		"envelopes 60 deep in 1 MiB":    nestedFeed(60, 1<<20),
		"arrays 2,000 deep in a record": []byte(inRecord),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := hsds.Import(feed)
			// A backstop only: the work bound is TestDecodeWorkIsLinear's.
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if err == nil || !strings.Contains(err.Error(), "nested") {
				t.Fatalf("err = %v, want a refusal naming the nesting", err)
			}
		})
	}
	// A string may hold brackets: they are not nesting.
	ok := `{"services":[{"id":"c0f6a2b4-1d2e-4f3a-9b8c-7d6e5f4a3b2c","name":"n \"[{","status":"active","description":"` +
		strings.Repeat("[{", 5000) + `"}]}`
	if _, err := hsds.Import([]byte(ok)); err != nil && strings.Contains(err.Error(), "nested") {
		t.Errorf("brackets inside strings counted as nesting: %v", err)
	}
}

// TestImportRefusesHugeFeeds: a feed larger than MaxFeedBytes is refused
// before any parsing.
func TestImportRefusesHugeFeeds(t *testing.T) {
	_, err := hsds.Import(nestedFeed(1, hsds.MaxFeedBytes+10))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a refusal for size", err)
	}
}

// BenchmarkImportNested times the deepest envelope nesting import accepts
// around a 1 MiB record.
func BenchmarkImportNested(b *testing.B) {
	feed := nestedFeed(3, 1<<20)
	b.SetBytes(int64(len(feed)))
	for b.Loop() {
		if _, err := hsds.Import(feed); err != nil {
			b.Fatal(err)
		}
	}
}
