package storetest

import (
	"encoding/json"

	"github.com/google/go-cmp/cmp"
)

// Diff compares two values through their JSON form, so nil and empty slices
// (which stores may return for one another) compare equal. It returns "" when
// they are the same.
func Diff(want, got any) string {
	return cmp.Diff(jsonValue(want), jsonValue(got))
}

func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
