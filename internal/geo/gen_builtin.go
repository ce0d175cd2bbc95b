//go:build ignore

// gen_builtin writes builtin.csv, the built-in geocoding table, from the seed
// directory (../../seed/*.json) and the hand-kept tables below.
//
//	go generate ./internal/geo/
//
// Every postcode district and town the seed mentions gets a row:
//   - a district with seed sites sits at the mean of those sites' positions
//     (source "seed");
//   - a district without seed sites sits at its approximate centre from
//     approxDistricts (source "approx"); the generator fails if one is missing;
//   - a town sits at its centre from towns (source "known"), and each alias
//     at its town's centre (source "alias").
//
// No row comes from a third-party postcode data set. The rest of the UK comes
// from geonames.csv (see internal/geonamesgen); these rows take precedence
// over its rows for the same district or town.
package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// approxDistricts are approximate centres of districts that the seed names
// in coverage but where it has no site, from general knowledge of the areas.
var approxDistricts = map[string][2]float64{
	"B2":   {52.4795, -1.8978}, // Birmingham city centre, New Street
	"CA4":  {54.8400, -2.8300}, // Wetheral, south-east of Carlisle
	"CA5":  {54.8600, -3.0500}, // Burgh by Sands, west of Carlisle
	"CA6":  {55.0000, -2.9000}, // Longtown, north of Carlisle
	"CA7":  {54.8000, -3.2000}, // Wigton
	"CA8":  {54.9400, -2.7000}, // Brampton
	"CA10": {54.6200, -2.6500}, // rural Eden around Penrith
	"CA11": {54.6640, -2.7520}, // Penrith
	"CF3":  {51.5150, -3.1250}, // Rumney and St Mellons, east Cardiff
	"EH1":  {55.9510, -3.1900}, // Edinburgh Old Town
	"EH2":  {55.9530, -3.1980}, // Edinburgh New Town
	"G4":   {55.8660, -4.2520}, // Townhead and Cowcaddens, Glasgow
	"G5":   {55.8480, -4.2520}, // Gorbals, Glasgow
	"L1":   {53.4030, -2.9810}, // Liverpool city centre
	"L6":   {53.4180, -2.9550}, // Everton and Kensington, Liverpool
	"M16":  {53.4560, -2.2700}, // Old Trafford and Whalley Range
	"M19":  {53.4410, -2.1900}, // Levenshulme
	"NE5":  {54.9900, -1.6800}, // West Denton and Fenham, Newcastle
	"NE8":  {54.9530, -1.6030}, // Gateshead centre
	"NE9":  {54.9300, -1.5900}, // Low Fell, Gateshead
	"NE28": {54.9950, -1.5200}, // Wallsend
	"NE29": {55.0100, -1.4600}, // North Shields
	"NE33": {54.9970, -1.4300}, // South Shields
	"NR5":  {52.6400, 1.2300},  // Bowthorpe and Costessey, Norwich
	"NR6":  {52.6550, 1.2750},  // Hellesdon and Catton, Norwich
	"NR8":  {52.6800, 1.2200},  // Taverham and Drayton
	"NR10": {52.7400, 1.2000},  // Horsford and Reepham, north of Norwich
	"NR12": {52.7300, 1.4500},  // Wroxham and Coltishall
	"NR13": {52.6200, 1.4800},  // Brundall, Blofield and Acle
	"NR14": {52.5500, 1.3800},  // Poringland and Loddon
	"PL2":  {50.3900, -4.1600}, // Keyham, Ford and Peverell, Plymouth
	"PL6":  {50.4200, -4.1100}, // Derriford and Estover, Plymouth
	"PL7":  {50.3850, -4.0500}, // Plympton
	"S8":   {53.3500, -1.4750}, // Heeley and Nether Edge, Sheffield
}

// towns are town and area centres; district is the district at the centre.
var towns = []struct {
	name     string
	lat, lon float64
	district string
	aliases  []string
}{
	{"Birmingham", 52.4862, -1.8904, "B2", nil},
	{"Bristol", 51.4545, -2.5879, "BS1", []string{"City of Bristol", "Bristol, City of"}},
	{"Cardiff", 51.4816, -3.1791, "CF10", []string{"Caerdydd"}},
	{"Carlisle", 54.8925, -2.9329, "CA3", nil},
	{"Edinburgh", 55.9533, -3.1883, "EH1", []string{"City of Edinburgh"}},
	{"Glasgow", 55.8642, -4.2518, "G1", []string{"Glasgow City"}},
	{"Leeds", 53.7997, -1.5492, "LS1", nil},
	{"Liverpool", 53.4084, -2.9916, "L1", nil},
	{"Manchester", 53.4808, -2.2426, "M2", nil},
	{"Newcastle upon Tyne", 54.9783, -1.6178, "NE1", []string{"Newcastle", "Newcastle-upon-Tyne"}},
	{"Norwich", 52.6309, 1.2974, "NR2", nil},
	{"Nottingham", 52.9548, -1.1581, "NG1", nil},
	{"Plymouth", 50.3755, -4.1427, "PL1", nil},
	{"Sheffield", 53.3811, -1.4701, "S1", nil},
	// Areas the seed covers that are not one town: the main town's centre.
	{"Allerdale", 54.6640, -3.3620, "", nil}, // Cockermouth, the middle of the district
	{"Eden", 54.6641, -2.7522, "CA11", nil},  // Penrith
	{"Gateshead", 54.9527, -1.6034, "NE8", nil},
	{"North Tyneside", 55.0100, -1.4600, "NE29", nil}, // North Shields
	{"South Tyneside", 54.9986, -1.4323, "NE33", nil}, // South Shields
	{"Wallsend", 54.9910, -1.5340, "NE28", nil},
	{"North Shields", 55.0100, -1.4500, "NE29", nil},
	{"South Shields", 54.9986, -1.4323, "NE33", nil},
	{"Penrith", 54.6641, -2.7522, "CA11", nil},
	{"Wigton", 54.8250, -3.1610, "CA7", nil},
	// Neighbourhoods people give as where they live that GeoNames lacks.
	{"Headingley", 53.8190, -1.5770, "LS6", nil},
}

// districtTowns names the town or area of districts outside their area's
// main town; the rest take it from their letters (areaTowns).
var districtTowns = map[string]string{
	"CA7": "Wigton", "CA10": "Penrith", "CA11": "Penrith",
	"NE8": "Gateshead", "NE9": "Gateshead",
	"NE28": "Wallsend", "NE29": "North Shields", "NE33": "South Shields",
}

var areaTowns = map[string]string{
	"B": "Birmingham", "BS": "Bristol", "CA": "Carlisle", "CF": "Cardiff", "EH": "Edinburgh",
	"G": "Glasgow", "L": "Liverpool", "LS": "Leeds", "M": "Manchester", "NE": "Newcastle upon Tyne",
	"NG": "Nottingham", "NR": "Norwich", "PL": "Plymouth", "S": "Sheffield",
}

type provider struct {
	Sites []struct {
		Address struct {
			Town     string `json:"town"`
			Postcode string `json:"postcode"`
		} `json:"address"`
		Location *struct{ Lat, Lon float64 } `json:"location"`
	} `json:"sites"`
	Coverage struct {
		Areas             []string `json:"areas"`
		PostcodeDistricts []string `json:"postcode_districts"`
	} `json:"coverage"`
}

var letters = regexp.MustCompile(`^[A-Z]+`)

func main() {
	files, err := filepath.Glob("../../seed/*.json")
	if err != nil || len(files) == 0 {
		log.Fatalf("no seed files found (%v); run from internal/geo", err)
	}
	type acc struct {
		lat, lon float64
		n        int
	}
	sites := map[string]*acc{}
	districts := map[string]bool{}
	seedTowns := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		var ps []provider
		if err := json.Unmarshal(data, &ps); err != nil {
			log.Fatalf("%s: %v", f, err)
		}
		for _, p := range ps {
			for _, s := range p.Sites {
				if s.Address.Town != "" {
					seedTowns[s.Address.Town] = true
				}
				fields := strings.Fields(strings.ToUpper(s.Address.Postcode))
				if len(fields) != 2 {
					continue
				}
				districts[fields[0]] = true
				if s.Location != nil {
					a := sites[fields[0]]
					if a == nil {
						a = &acc{}
						sites[fields[0]] = a
					}
					a.lat, a.lon, a.n = a.lat+s.Location.Lat, a.lon+s.Location.Lon, a.n+1
				}
			}
			for _, d := range p.Coverage.PostcodeDistricts {
				districts[strings.ToUpper(strings.TrimSpace(d))] = true
			}
			for _, a := range p.Coverage.Areas {
				seedTowns[a] = true
			}
		}
	}

	rows := [][]string{{"kind", "name", "lat", "lon", "district", "town", "source"}}
	codes := make([]string, 0, len(districts))
	for d := range districts {
		codes = append(codes, d)
	}
	sort.Slice(codes, func(i, j int) bool { return districtLess(codes[i], codes[j]) })
	var missing []string
	for _, d := range codes {
		town := districtTowns[d]
		if town == "" {
			town = areaTowns[letters.FindString(d)]
		}
		if a := sites[d]; a != nil {
			rows = append(rows, []string{"district", d, ff(a.lat / float64(a.n)), ff(a.lon / float64(a.n)), "", town, "seed"})
		} else if c, ok := approxDistricts[d]; ok {
			rows = append(rows, []string{"district", d, ff(c[0]), ff(c[1]), "", town, "approx"})
		} else {
			missing = append(missing, d)
		}
	}
	known := map[string]bool{}
	for _, t := range towns {
		rows = append(rows, []string{"town", t.name, ff(t.lat), ff(t.lon), t.district, t.name, "known"})
		known[t.name] = true
		for _, a := range t.aliases {
			rows = append(rows, []string{"town", a, ff(t.lat), ff(t.lon), t.district, t.name, "alias"})
			known[a] = true
		}
	}
	for t := range seedTowns {
		if !known[t] {
			missing = append(missing, "town "+t)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		log.Fatalf("add approximate centres to gen_builtin.go for: %s", strings.Join(missing, ", "))
	}

	out, err := os.Create("builtin.csv")
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(out)
	if err := w.WriteAll(rows); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("builtin.csv: %d districts, %d town names\n", len(codes), len(rows)-1-len(codes))
}

// districtLess orders districts by letters, then number ("LS2" before "LS10").
func districtLess(a, b string) bool {
	la, lb := letters.FindString(a), letters.FindString(b)
	if la != lb {
		return la < lb
	}
	na, _ := strconv.Atoi(strings.TrimRight(a[len(la):], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	nb, _ := strconv.Atoi(strings.TrimRight(b[len(lb):], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
	if na != nb {
		return na < nb
	}
	return a < b
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
