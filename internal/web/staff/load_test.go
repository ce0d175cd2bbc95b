package staff_test

import (
	"context"
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/load"
	"github.com/brokerfinder/brokerfinder/internal/synth"
)

// TestLoadStaffInterview: the load tool's staff-interview phase signs in
// with an adviser's key and posts interviews the page accepts, so its
// figures are of real interview pages, not of refusals.
func TestLoadStaffInterview(t *testing.T) {
	e := newEnv(t, nil)
	res, err := load.Run(context.Background(), load.Config{
		BaseURL: e.srv.URL, Connections: 2, Requests: 20, AccessKey: e.adviser,
		Districts: []synth.District{{Code: "LS6"}, {Code: "BD1"}},
		Phases:    []string{"staff-interview"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Requests != 20 || res[0].Errors != 0 || res[0].P95ms <= 0 {
		t.Fatalf("staff-interview phase: %+v", res)
	}
	if _, err := load.Run(context.Background(), load.Config{BaseURL: e.srv.URL, Requests: 1, AccessKey: "wrong",
		Districts: []synth.District{{Code: "LS6"}}, Phases: []string{"staff-interview"}}); err == nil {
		t.Error("a wrong access key: want the run refused")
	}
}
