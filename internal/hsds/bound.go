package hsds

import "fmt"

// MaxFeedBytes is the largest feed DecodeFeed (and so Import) reads: far
// above a national directory's export (about 5 KiB a provider), and the
// cap the import command reads up to.
const MaxFeedBytes = 64 << 20

// MaxFeedDepth is how deeply arrays and objects may nest in a feed. The
// deepest ORUK shape, a page of organizations with services at locations
// with addresses and attribute terms, nests about a dozen deep; a feed
// nested further is a mistake or an attack, and refused before it is parsed.
const MaxFeedDepth = 64

// maxEnvelopes is how many wrappers (pages' contents, feeds' services) may
// hold one another around the records. Real feeds use one or two. Each
// wrapper is decoded once and hands its inner bytes on, so the bytes
// decoded are at most about 2*(maxEnvelopes+1) times the feed's size:
// linear, however the feed is nested.
const maxEnvelopes = 4

// checkBounds refuses a feed larger than MaxFeedBytes or nested deeper than
// MaxFeedDepth, in one pass over its bytes that counts the brackets and
// braces open outside strings. It does not check the JSON is valid: the
// decoder does, and an unbalanced feed fails there.
func checkBounds(data []byte) error {
	if len(data) > MaxFeedBytes {
		return fmt.Errorf("the feed is larger than %d MiB", MaxFeedBytes>>20)
	}
	depth := 0
	inString, escaped := false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > MaxFeedDepth {
				return fmt.Errorf("the feed is nested more than %d deep (at byte %d); ORUK feeds need far less", MaxFeedDepth, i)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}
