package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/api"
)

// TestErrorResponsesStaySmall: a body that is all mistakes (a megabyte of
// unknown keys, or one enormous key) gets a small error that says how many
// problems there were, not one entry per key (6 MB once).
func TestErrorResponsesStaySmall(t *testing.T) {
	e := newEnv(t)
	var b strings.Builder
	b.WriteString("{")
	n := 0
	for b.Len() < (1<<20)-32 {
		if n > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"unknown_%07d":1`, n)
		n++
	}
	b.WriteString("}")
	huge := `{"` + strings.Repeat("k", 512<<10) + `":1}`
	for _, tc := range []struct {
		name, body string
		problems   int
	}{
		{"a megabyte of unknown keys", b.String(), n},
		{"one enormous key", huge, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do("POST", "/v1/match", tc.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d: %.300s", r.status, r.body)
			}
			if len(r.body) > 16<<10 {
				t.Fatalf("error response is %d bytes", len(r.body))
			}
			var er api.ErrorResponse
			r.json(t, &er)
			if len(er.Fields) == 0 || len(er.Fields) > 50 || len(er.Fields)+er.MoreFields != tc.problems {
				t.Fatalf("%d fields and %d more, want %d problems in all", len(er.Fields), er.MoreFields, tc.problems)
			}
			if tc.problems > 1 && !strings.Contains(er.Message, fmt.Sprint(tc.problems)) {
				t.Errorf("message %q does not say how many problems there were (%d)", er.Message, tc.problems)
			}
		})
	}
}
