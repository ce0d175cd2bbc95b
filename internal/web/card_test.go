package web

import (
	"testing"

	"github.com/brokerfinder/brokerfinder/internal/match"
)

func TestMiles(t *testing.T) {
	for km, want := range map[float64]string{
		0:       "less than 0.1 miles",
		0.1:     "0.1 miles",
		1.609:   "1 mile",
		2:       "1.2 miles",
		16.0934: "10 miles",
		40:      "25 miles",
	} {
		if got := miles(km); got != want {
			t.Errorf("miles(%g) = %q, want %q", km, got, want)
		}
	}
}

func TestTelURL(t *testing.T) {
	for in, want := range map[string]string{
		"0113 496 0000":       "tel:01134960000",
		"+44 (0)113-496.0000": "tel:+441134960000",
		"0800 123":            "tel:0800123",
		"ring 0113":           "",
		"javascript:alert":    "",
		"01+13":               "",
		"12":                  "",
		"":                    "",
	} {
		if got := string(telURL(in)); got != want {
			t.Errorf("telURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFitText(t *testing.T) {
	for _, c := range []struct {
		e    match.Explanation
		want string
	}{
		{match.Explanation{}, ""},
		{match.Explanation{Met: []string{"a", "b"}}, "Offers everything you asked for"},
		{match.Explanation{NotMet: []string{"a"}}, "Offers none of what you asked for"},
		{match.Explanation{Met: []string{"a"}, NotMet: []string{"b", "c"}}, "Offers 1 of the 3 things you asked for"},
		{match.Explanation{Met: []string{"a"}, PartlyMet: []string{"b"}}, "Offers 1 of the 2 things you asked for, and 1 in part"},
	} {
		if got := fitText(c.e); got != c.want {
			t.Errorf("fitText(%+v) = %q, want %q", c.e, got, c.want)
		}
	}
}
