package service

import (
	"hash/maphash"
	"time"
)

// recorderMaxSeen bounds what the recorder remembers of one day's counts:
// which client was already counted for which area and provider (or need),
// and for which count. Each is one 8-byte hash in a map, about 40 MB at
// the bound. A national service's day is some thousands of clients seeing
// tens of providers each, well under it. Past it, counts for a client not
// yet seen that day are not made, and counted (the exposure report's
// "capped"): under-counting in plain sight rather than letting whoever
// fills the memory inflate counts again. The memory empties at the day's
// end.
const recorderMaxSeen = 1 << 20

// seen remembers, for the current UTC day, the counts already made. It is
// used by the recorder's one goroutine only.
type seen struct {
	seed maphash.Seed
	day  int64
	keys map[uint64]struct{}
	max  int
}

func newSeen(max int) *seen {
	return &seen{seed: maphash.MakeSeed(), keys: map[uint64]struct{}{}, max: max}
}

// dayOf is t's UTC day number.
func dayOf(t time.Time) int64 {
	return t.UTC().Unix() / (24 * 60 * 60)
}

// first reports whether the count of kind for client, area and id on day
// is the first, remembering it; and whether it was refused because the
// memory is full. A later day forgets the earlier one. Keys are hashes
// (seeded per process): two colliding would lose one count, at odds of
// about one in 10^13 a day at the bound.
func (s *seen) first(day int64, client string, kind byte, area, id string) (first, full bool) {
	if day > s.day {
		s.day, s.keys = day, map[uint64]struct{}{}
	}
	var h maphash.Hash
	h.SetSeed(s.seed)
	var d [9]byte
	for i := range 8 {
		d[i] = byte(day >> (8 * i))
	}
	d[8] = kind
	_, _ = h.Write(d[:])
	_, _ = h.WriteString(client)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(area)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(id)
	k := h.Sum64()
	if _, ok := s.keys[k]; ok {
		return false, false
	}
	if len(s.keys) >= s.max {
		return false, true
	}
	s.keys[k] = struct{}{}
	return true, false
}
