package geo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
)

func TestParsePostcode(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		full, distr string
	}{
		{"A9 9AA", "M1 1AE", "M1 1AE", "M1"},
		{"A99 9AA", "B33 8TH", "B33 8TH", "B33"},
		{"A9A 9AA", "W1A 0AX", "W1A 0AX", "W1A"},
		{"AA9 9AA", "LS6 1AN", "LS6 1AN", "LS6"},
		{"AA99 9AA", "CR26 0XH", "CR26 0XH", "CR26"},
		{"AA9A 9AA", "EC1A 1BB", "EC1A 1BB", "EC1A"},
		{"lower case, no space", "ls61an", "LS6 1AN", "LS6"},
		{"mixed case, extra spaces", "  Ls6   1aN ", "LS6 1AN", "LS6"},
		{"tabs and newlines", "\tLS6\n1AN\r\n", "LS6 1AN", "LS6"},
		{"space inside outward code", "E C1A1BB", "EC1A 1BB", "EC1A"},
		{"Girobank", "gir0aa", "GIR 0AA", "GIR"},
		{"outward A9", "m1", "", "M1"},
		{"outward A99", "B33", "", "B33"},
		{"outward A9A", "w1a", "", "W1A"},
		{"outward AA9", " ls6 ", "", "LS6"},
		{"outward AA99", "NE28", "", "NE28"},
		{"outward AA9A", "ec1a", "", "EC1A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, district, err := geo.ParsePostcode(tt.in)
			if err != nil {
				t.Fatalf("ParsePostcode(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff([2]string{tt.full, tt.distr}, [2]string{full, district}); diff != "" {
				t.Errorf("ParsePostcode(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParsePostcodeInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces only", "   "},
		{"one letter", "L"},
		{"letters only", "LEEDS"},
		{"digits only", "12345"},
		{"digit first", "6LS 1AN"},
		{"three leading letters", "LSX6 1AN"},
		{"inward letter first", "LS6 AAN"},
		{"inward digit last", "LS6 1A1"},
		{"inward too short", "LS6 1A"},
		{"too long", "LS6 1AN LS6 1AN X"},
		{"long with spaces", "L S 6 1 A N        X"},
		{"wildcard", "LS6*"},
		{"query syntax", "postcode:LS6"},
		{"hyphen", "LS6-1AN"},
		{"fullwidth letters", "ＬＳ6 1AN"},
		{"Cyrillic look-alike", "LЅ6 1AN"},
		{"non-breaking space inside", "LS6\u00a01AN"},
		{"zero-width space", "LS6\u200b1AN"},
		{"NUL byte", "LS6\x001AN"},
		{"invalid UTF-8", "LS6\xff1AN"},
		{"two outward codes", "LS6 LS7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, district, err := geo.ParsePostcode(tt.in)
			if err == nil {
				t.Fatalf("ParsePostcode(%q) = %q, %q; want an error", tt.in, full, district)
			}
			checkValidation(t, err, "postcode", "Enter a postcode like LS6 1AN, or the first part like LS6")
		})
	}
}

// checkValidation asserts that err is a *directory.ValidationError matching
// directory.ErrInvalid with one problem on field whose message contains msg.
func checkValidation(t *testing.T, err error, field, msg string) {
	t.Helper()
	if !errors.Is(err, directory.ErrInvalid) {
		t.Fatalf("error %v does not match directory.ErrInvalid", err)
	}
	var ve *directory.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v is not a *directory.ValidationError", err, err)
	}
	if len(ve.Problems) != 1 || ve.Problems[0].Field != field || !strings.Contains(ve.Problems[0].Message, msg) {
		t.Fatalf("problems = %+v, want one on %q containing %q", ve.Problems, field, msg)
	}
}

func FuzzParsePostcode(f *testing.F) {
	for _, s := range []string{
		"LS6 1AN", "ls61an", " EC1A 1BB ", "W1A0AX", "M1", "gir 0aa", "CR26", "",
		"LS6*", "12345", "ＬＳ6 1AN", "LS6\u00a01AN", "AA9A 9AA 9", "\t b 3 3 8 t h\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		full, district, err := geo.ParsePostcode(s)
		if err != nil {
			if full != "" || district != "" {
				t.Fatalf("ParsePostcode(%q) failed but returned %q, %q", s, full, district)
			}
			if !errors.Is(err, directory.ErrInvalid) {
				t.Fatalf("ParsePostcode(%q) error %v does not match ErrInvalid", s, err)
			}
			return
		}
		if district != "GIR" && !directory.ValidDistrict(district) {
			t.Fatalf("ParsePostcode(%q) district %q is not a normal outward code", s, district)
		}
		again := district
		if full != "" {
			if full != "GIR 0AA" && !directory.ValidPostcode(full) {
				t.Fatalf("ParsePostcode(%q) full %q is not a normal postcode", s, full)
			}
			if !strings.HasPrefix(full, district+" ") {
				t.Fatalf("ParsePostcode(%q): district %q is not the prefix of %q", s, district, full)
			}
			if directory.NormalizePostcode(s) != full {
				t.Fatalf("ParsePostcode(%q) = %q, but directory.NormalizePostcode gives %q", s, full, directory.NormalizePostcode(s))
			}
			again = full
		}
		full2, district2, err := geo.ParsePostcode(again)
		if err != nil || full2 != full || district2 != district {
			t.Fatalf("re-parsing %q gave %q, %q, %v; want %q, %q", again, full2, district2, err, full, district)
		}
	})
}
