package api_test

import "testing"

// testSpecResponses is filled in with the OpenAPI response checks.
func testSpecResponses(t *testing.T, s *seeded) {}
