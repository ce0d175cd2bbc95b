package hsds

import (
	"crypto/sha1"
	"fmt"
	"regexp"
)

// namespace is the UUID namespace for every id this package derives: the
// RFC 9562 URL namespace, so the names ("brokerfinder:<vocab>:<code>") stay
// readable and anyone can recompute an id.
var namespace = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// UUID5 returns the name-based (version 5, SHA-1) UUID for name in the
// package namespace, in lower case. The same name always gives the same id.
func UUID5(name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in the 8-4-4-4-12 hex form.
func IsUUID(s string) bool { return uuidPattern.MatchString(s) }

// idFor returns id when it is already a UUID, and otherwise a UUID derived
// from kind and id, so records whose ids are not UUIDs still get stable
// HSDS ids.
func idFor(kind, id string) string {
	if IsUUID(id) {
		return id
	}
	return UUID5("brokerfinder:" + kind + ":" + id)
}
