package directory_test

import (
	"encoding/json"
	"os"
	"testing"
	"unsafe"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/storetest"
)

// TestInternCodesKeepsValuesAndSharesStrings: interning changes no value,
// and two decoded records then share their codes' bytes.
func TestInternCodesKeepsValuesAndSharesStrings(t *testing.T) {
	b, err := os.ReadFile("../../seed/leeds.json")
	if err != nil {
		t.Fatal(err)
	}
	var a, c []directory.Provider
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(a)
	for i := range a {
		a[i].InternCodes()
		c[i].InternCodes()
	}
	after, _ := json.Marshal(a)
	if string(before) != string(after) {
		t.Fatal("interning changed a value")
	}
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	if !same(a[0].Services[0].Code, c[0].Services[0].Code) || !same(a[0].Type, c[0].Type) {
		t.Fatal("codes of two decoded records do not share storage after interning")
	}
	free := storetest.Provider("x")
	free.Name = "not a code"
	free.InternCodes()
	if free.Name != "not a code" {
		t.Fatal("free text changed")
	}
}
