package directory_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// FuzzProviderValidate decodes arbitrary JSON as a provider and validates
// it: validation must never panic, and a record it accepts must stay
// accepted after a round trip through JSON and another Normalize (what the
// store and the seed loader do to it).
func FuzzProviderValidate(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"name":"x","type":"job_broker","sites":[{"location":{"lat":1e308,"lon":-1e308}}]}`))
	f.Add([]byte(`{"coverage":{"polygons":[{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}]}}`))
	if b, err := os.ReadFile("../../seed/leeds.json"); err == nil {
		var ps []json.RawMessage
		if json.Unmarshal(b, &ps) == nil {
			for _, p := range ps[:2] {
				f.Add([]byte(p))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p directory.Provider
		if json.Unmarshal(data, &p) != nil {
			return
		}
		p.Normalize()
		if p.Validate() != nil {
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("a valid provider does not marshal: %v", err)
		}
		var again directory.Provider
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		again.Normalize()
		if err := again.Validate(); err != nil {
			t.Fatalf("valid, then invalid after a round trip: %v", err)
		}
	})
}

// FuzzNeedsValidate: needs validation never panics, whatever the input.
func FuzzNeedsValidate(f *testing.F) {
	f.Add([]byte(`{"health_conditions":["mental_health"],"max_travel_km":25}`))
	f.Add([]byte(`{"support":["","x"],"max_travel_km":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var n directory.Needs
		if json.Unmarshal(data, &n) != nil {
			return
		}
		n.Normalize()
		_ = n.Validate("needs")
		_ = n.Stated()
	})
}
