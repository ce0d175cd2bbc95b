package geo

import (
	"strings"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// postcodeHint is the message for malformed postcodes: what to type instead.
const postcodeHint = "Enter a postcode like LS6 1AN, or the first part like LS6"

// maxPostcodeInput bounds the trimmed input; the longest postcode with
// generous spacing ("AA9A 9AA") is far shorter.
const maxPostcodeInput = 16

// ParsePostcode parses a UK postcode or outward code in any case and spacing.
// It returns the normalised full postcode ("" for an outward code alone) and
// the outward code.
//
// All six full forms (A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA)
// and GIR 0AA are accepted, as are outward codes alone. Only ASCII letters,
// digits and whitespace are allowed, so look-alike Unicode letters and query
// syntax ("LS6*") are rejected. Malformed input gives a
// *directory.ValidationError on field "postcode".
func ParsePostcode(s string) (full, district string, err error) {
	b, n, out, ok := splitPostcode(s)
	if !ok {
		return "", "", directory.Invalid("postcode", postcodeHint)
	}
	if out == n {
		return "", string(b[:n]), nil
	}
	return string(b[:out]) + " " + string(b[out:n]), string(b[:out]), nil
}

// splitPostcode is ParsePostcode without allocation: b[:n] is the postcode
// upper-cased with no spaces and b[:out] its outward code (out == n for an
// outward code alone). The file loader calls it for millions of rows.
func splitPostcode(s string) (b [7]byte, n, out int, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxPostcodeInput {
		return b, 0, 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			return b, 0, 0, false
		}
		if n == len(b) {
			return b, 0, 0, false
		}
		b[n] = c
		n++
	}
	switch {
	case validOutward(b[:n]):
		return b, n, n, true
	case n >= 5 && validInward(b[n-3:n]) && validOutward(b[:n-3]):
		return b, n, n - 3, true
	case n == 6 && string(b[:n]) == "GIR0AA": // Girobank's historic non-geographic postcode
		return b, n, 3, true
	}
	return b, 0, 0, false
}

// validOutward reports whether b (upper case, no spaces) is an outward code:
// one or two letters, a digit, then optionally a letter or digit
// (A9, A99, A9A, AA9, AA99, AA9A), the same rule as directory.ValidDistrict.
func validOutward(b []byte) bool {
	if len(b) < 2 || len(b) > 4 || !isLetter(b[0]) {
		return false
	}
	i := 1
	if isLetter(b[1]) {
		i = 2
	}
	if i >= len(b) || !isDigit(b[i]) {
		return false
	}
	switch len(b) - i - 1 {
	case 0:
		return true
	case 1:
		return isLetter(b[i+1]) || isDigit(b[i+1])
	}
	return false
}

// validInward reports whether b is an inward code: a digit and two letters.
func validInward(b []byte) bool {
	return len(b) == 3 && isDigit(b[0]) && isLetter(b[1]) && isLetter(b[2])
}

func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
