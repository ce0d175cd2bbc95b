package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"
)

// ProviderRevision is one stored version of a provider, with who made it.
type ProviderRevision struct {
	Version int64     `json:"version"`
	At      time.Time `json:"at"`
	// ChangedBy is nil for versions written before changes were attributed
	// or by tools (seed, import) with no token.
	ChangedBy *Actor   `json:"changed_by,omitempty"`
	Provider  Provider `json:"-"`
}

// HistoryStore reads providers' histories. (Writes go through
// ProviderStore, which records who from the context: see WithActor.)
type HistoryStore interface {
	// ProviderHistory returns every version of a provider, oldest first.
	// ErrNotFound if there is none.
	ProviderHistory(ctx context.Context, id string) ([]ProviderRevision, error)
}

// FieldChange is one field that differs between two versions, named by its
// JSON path ("capacity.taking_new_clients", "sites[0].address.town").
// From or To is absent when the field was added or removed.
type FieldChange struct {
	Path string `json:"path"`
	From any    `json:"from,omitempty"`
	To   any    `json:"to,omitempty"`
}

// bookkeeping fields change on every write and say nothing about content.
var bookkeeping = map[string]bool{"version": true, "created_at": true, "updated_at": true}

// DiffProviders lists the fields that differ from a to b, by JSON path in
// path order. Comparing the JSON forms means the diff names fields exactly
// as the API does, and needs no per-field code as the record grows.
func DiffProviders(a, b *Provider) []FieldChange {
	fa, fb := map[string]any{}, map[string]any{}
	flatten("", toJSONValue(a), fa)
	flatten("", toJSONValue(b), fb)
	var out []FieldChange
	for k, va := range fa {
		if bookkeeping[k] {
			continue
		}
		if vb, ok := fb[k]; !ok {
			out = append(out, FieldChange{Path: k, From: va})
		} else if !reflect.DeepEqual(va, vb) {
			out = append(out, FieldChange{Path: k, From: va, To: vb})
		}
	}
	for k, vb := range fb {
		if _, ok := fa[k]; !ok && !bookkeeping[k] {
			out = append(out, FieldChange{Path: k, To: vb})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func toJSONValue(p *Provider) any {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // a Provider always marshals
	}
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

// flatten records every leaf of v under its path. Empty objects and arrays
// are leaves, so emptying a list shows as a change.
func flatten(path string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 && path != "" {
			out[path] = x
		}
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		if len(x) == 0 {
			out[path] = x
		}
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	default:
		out[path] = v
	}
}

// SameContent reports whether a and b hold the same record, ignoring the
// fields the store sets (version, created_at, updated_at). Nil and empty
// lists compare equal, as stores may return either.
func SameContent(a, b *Provider) bool {
	return reflect.DeepEqual(contentOf(*a), contentOf(*b))
}

// contentOf returns p without the store's fields, as generic JSON values.
func contentOf(p Provider) any {
	p.Version = 0
	p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
	b, _ := json.Marshal(p)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}
