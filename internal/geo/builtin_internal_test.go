package geo

import (
	"runtime"
	"strings"
	"testing"
)

// BenchmarkReadBuiltin measures parsing the embedded tables, which the first
// geocoder lookup (or geo.New at server start) pays once.
func BenchmarkReadBuiltin(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(builtinCSV) + len(geonamesCSV)))
	for b.Loop() {
		if _, err := readBuiltin(strings.NewReader(builtinCSV), strings.NewReader(geonamesCSV)); err != nil {
			b.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t, _ := readBuiltin(strings.NewReader(builtinCSV), strings.NewReader(geonamesCSV))
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(t)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-kept")
}
