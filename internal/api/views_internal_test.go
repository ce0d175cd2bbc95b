package api

import (
	"fmt"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// TestIncentiveTextRemembersWhatItWrites: the remembered sentence is the
// one written afresh, before and after the memory fills and starts again.
func TestIncentiveTextRemembersWhatItWrites(t *testing.T) {
	kinds := directory.MustVocabulary(directory.VocabIncentiveKinds).Terms
	for i := range maxIncentiveTexts + 500 {
		in := directory.Incentive{
			Kind: kinds[i%len(kinds)].Code, Recipient: "client", AmountPence: int64(i * 37),
			Trigger: fmt.Sprintf("On starting work %d", i%11), Discretionary: i%3 == 0,
		}
		for range 2 {
			if got, want := IncentiveText(in), incentiveText(in); got != want {
				t.Fatalf("%+v: %q, want %q", in, got, want)
			}
		}
	}
	if n := len(incentiveTexts.m); n == 0 || n > maxIncentiveTexts {
		t.Fatalf("%d sentences remembered, at most %d allowed", n, maxIncentiveTexts)
	}
}
