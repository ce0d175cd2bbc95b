package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `country_code,zipcode,place,state,state_code,province,province_code,community,community_code,latitude,longitude
GB,NP20,Newport,Wales,WLS,Newport,NWP,,,51.5877,-2.9984
GB,TF10,Newport,England,ENG,Shropshire,,,,52.7833,-2.3833
GB,NP19,Newport,Wales,WLS,Newport,NWP,,,51.5900,-2.9700
GB,TF10,Edgmond,England,ENG,Shropshire,,,,52.7740,-2.4097
GB,TF10,Church Aston,England,ENG,Shropshire,,,,52.7579,-2.3854
GB,NP10,Rogerstone,Wales,WLS,Newport,NWP,,,51.5900,-3.0600
GB,NP10,Bassaleg,Wales,WLS,Newport,NWP,,,51.5800,-3.0400
GB,NP10,Newport,Wales,WLS,Newport,NWP,,,51.5877,-2.9984
GB,LS6,Leeds,England,ENG,West Yorkshire,,,,53.8201,-1.5704
GB,LS6,St. Mark's,England,ENG,West Yorkshire,,,,53.8100,-1.5600
`

func TestTable(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run([]string{"-in", in, "-out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Districts in area-then-number order, each at its places' mean, its
	// town the place most districts of its area name; places by key, the
	// Welsh Newport (three districts) beating Shropshire's (one). Each of
	// TF10's places is named by one TF district, so the one nearest its
	// centre, Edgmond, is its town.
	want := `kind,name,lat,lon,district,town
district,LS6,53.8150,-1.5652,,Leeds
district,NP10,51.5859,-3.0328,,Newport
district,NP19,51.5900,-2.9700,,Newport
district,NP20,51.5877,-2.9984,,Newport
district,TF10,52.7717,-2.3928,,Edgmond
place,Bassaleg,51.5800,-3.0400,NP10,
place,Church Aston,52.7579,-2.3854,TF10,
place,Edgmond,52.7740,-2.4097,TF10,
place,Leeds,53.8201,-1.5704,LS6,
place,Newport,51.5885,-2.9889,NP10,
place,Rogerstone,51.5900,-3.0600,NP10,
place,St. Mark's,53.8100,-1.5600,LS6,
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	if !strings.Contains(stdout.String(), "5 districts, 7 place names") {
		t.Errorf("summary %q", stdout.String())
	}

	// The same input in another order gives the same bytes.
	lines := strings.Split(strings.TrimSpace(sample), "\n")
	for i, j := 1, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-in", in, "-out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(out)
	if !bytes.Equal(got, again) {
		t.Errorf("reordered input gave a different table:\n%s", again)
	}
}

func TestTableRejectsBadRows(t *testing.T) {
	head := strings.SplitN(sample, "\n", 2)[0] + "\n"
	for name, row := range map[string]string{
		"bad district": "GB,LS6 1AN,Leeds,,,,,,,53.8,-1.5\n",
		"no place":     "GB,LS6,  ,,,,,,,53.8,-1.5\n",
		"outside":      "GB,LS6,Leeds,,,,,,,0,0\n",
	} {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(in, []byte(head+row), 0o644); err != nil {
				t.Fatal(err)
			}
			err := run([]string{"-in", in, "-out", filepath.Join(t.TempDir(), "out.csv")}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("error %v, want one naming line 2", err)
			}
		})
	}
}
