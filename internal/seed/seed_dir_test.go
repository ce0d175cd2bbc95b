package seed_test

import (
	"os"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/seed"
)

// TestShippedSeedIsValid loads the project's own seed directory: every record
// must validate, so a clean checkout always starts.
func TestShippedSeedIsValid(t *testing.T) {
	ps, err := seed.Load(os.DirFS("../../seed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) == 0 {
		t.Fatal("seed directory holds no providers")
	}
}
