package mongodb

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// fill sets every field reachable from v to a value that is not its zero
// value (each slice gets two elements, each pointer a value), so a
// converter that forgets a field loses something a comparison sees.
func fill(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, *seed, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), seed)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, seed)
		fill(e, seed)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *seed))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*seed))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*seed))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*seed) + 0.5)
	}
}

// TestProviderRecordKeepsEveryField: every field of the domain's provider,
// including ones added after the stored types were written, survives the
// trip to the stored shape and back. A field added to directory.Provider
// without its stored twin fails here rather than vanishing on write.
func TestProviderRecordKeepsEveryField(t *testing.T) {
	var p directory.Provider
	seed := 0
	fill(reflect.ValueOf(&p).Elem(), &seed)
	rec := toProviderRecord(&p)
	got := fromProviderRecord(&rec)
	if diff := cmp.Diff(p, got); diff != "" {
		t.Fatalf("a provider's trip through the stored shape changed it (-domain +after):\n%s", diff)
	}
}
