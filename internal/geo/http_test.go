package geo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/brokerfinder/brokerfinder/internal/directory"
	"github.com/brokerfinder/brokerfinder/internal/geo"
)

// fakePostcodes is a postcodes.io-compatible server with fixed answers. It
// records the escaped paths it was asked for.
type fakePostcodes struct {
	mu    sync.Mutex
	paths []string
}

// asked returns the paths asked for since the last call, and forgets them.
func (f *fakePostcodes) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.paths
	f.paths = nil
	return p
}

func (f *fakePostcodes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.paths = append(f.paths, r.URL.EscapedPath())
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.HasPrefix(r.URL.EscapedPath(), "/postcodes/CA11") || r.URL.EscapedPath() == "/outcodes/CA11" {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	switch r.URL.EscapedPath() {
	case "/postcodes/LS6%201AN":
		w.Write([]byte(`{"status":200,"result":{"postcode":"LS6 1AN","latitude":53.8192,"longitude":-1.5768,"outcode":"LS6","admin_district":"Leeds","codes":{"x":"y"}}}`))
	case "/postcodes/LS6%202ZZ":
		w.Write([]byte(`{"status":200,"result":{"postcode":"LS6 2ZZ","latitude":null,"longitude":null,"outcode":"LS6"}}`))
	case "/outcodes/LS6":
		w.Write([]byte(`{"status":200,"result":{"outcode":"LS6","latitude":53.8190,"longitude":-1.5770,"admin_district":["Leeds"]}}`))
	case "/outcodes/HG3":
		w.Write([]byte(`{"status":200,"result":{"outcode":"HG3","latitude":54.03,"longitude":-1.68,"admin_district":[]}}`))
	case "/outcodes/BD1":
		w.Write([]byte(`{"status":200,"result":{"outcode":"BD1","latitude":53.794,"longitude":-1.752,"admin_district":["Bradford"]}}`))
	case "/outcodes/EE1":
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"status":500,"error":"boom"}`))
	case "/outcodes/EE2":
		w.Write([]byte(`{"status":200,"result":`))
	case "/outcodes/EE3":
		w.Write([]byte(`{"status":200,"result":{"latitude":"north"}}`))
	case "/outcodes/EE4":
		w.Write([]byte(`{"status":200,"result":{"outcode":"EE4","latitude":53,"longitude":-1,"pad":"` + strings.Repeat("x", 70<<10) + `"}}`))
	case "/outcodes/EE5":
		w.Write([]byte(`{"status":200}`))
	case "/outcodes/EE6":
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	case "/outcodes/EE7":
		w.WriteHeader(http.StatusServiceUnavailable)
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"status":404,"error":"Postcode not found"}`))
	}
}

// newFake starts a fake postcode service and a Remote for it whose client
// gives up after 200 ms.
func newFake(t *testing.T) (*fakePostcodes, *geo.Remote, string) {
	t.Helper()
	f := &fakePostcodes{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	r, err := geo.NewRemote(srv.URL+"/", &http.Client{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return f, r, srv.URL
}

func TestRemotePostcode(t *testing.T) {
	f, r, _ := newFake(t)
	tests := []struct {
		in    string
		want  geo.Place
		paths []string
	}{
		{"ls61an", geo.Place{Lat: 53.8192, Lon: -1.5768, Postcode: "LS6 1AN", District: "LS6", Town: "Leeds", Source: "http"},
			[]string{"/postcodes/LS6%201AN"}},
		{"LS6", geo.Place{Lat: 53.819, Lon: -1.577, District: "LS6", Town: "Leeds", Source: "http"},
			[]string{"/outcodes/LS6"}},
		{"hg3", geo.Place{Lat: 54.03, Lon: -1.68, District: "HG3", Source: "http"},
			[]string{"/outcodes/HG3"}},
		// Unknown, and known without a position: the district's centre.
		{"LS6 9ZZ", geo.Place{Lat: 53.819, Lon: -1.577, Postcode: "LS6 9ZZ", District: "LS6", Town: "Leeds", Source: "http"},
			[]string{"/postcodes/LS6%209ZZ", "/outcodes/LS6"}},
		{"LS6 2ZZ", geo.Place{Lat: 53.819, Lon: -1.577, Postcode: "LS6 2ZZ", District: "LS6", Town: "Leeds", Source: "http"},
			[]string{"/postcodes/LS6%202ZZ", "/outcodes/LS6"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f.asked()
			got, err := r.Postcode(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Postcode(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Postcode(%q) (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.paths, f.asked()); diff != "" {
				t.Errorf("paths asked (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRemoteErrors(t *testing.T) {
	_, r, _ := newFake(t)
	tests := []struct {
		name, in string
		want     error
	}{
		{"404 for the postcode and the district", "ZZ9 9ZZ", directory.ErrNotFound},
		{"404 for a district", "ZZ9", directory.ErrNotFound},
		{"500", "EE1", directory.ErrUnavailable},
		{"503 without a body", "EE7", directory.ErrUnavailable},
		{"truncated JSON", "EE2", directory.ErrUnavailable},
		{"wrong JSON types", "EE3", directory.ErrUnavailable},
		{"body over 64 KiB", "EE4", directory.ErrUnavailable},
		{"no result member", "EE5", directory.ErrUnavailable},
		{"client timeout", "EE6", directory.ErrUnavailable},
		{"malformed input is not sent", "LS6*", directory.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got, err := r.Postcode(context.Background(), tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Postcode(%q) = %+v, %v; want %v", tt.in, got, err, tt.want)
			}
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("took %v; the client timeout is 200 ms", elapsed)
			}
		})
	}
}

func TestRemoteContext(t *testing.T) {
	_, r, _ := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := r.Postcode(ctx, "EE6")
	if !errors.Is(err, directory.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want ErrUnavailable and context.DeadlineExceeded", err)
	}
}

func TestRemoteUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	r, err := geo.NewRemote(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Postcode(context.Background(), "LS6"); !errors.Is(err, directory.ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
}

func TestRemoteTownAndNearest(t *testing.T) {
	f, r, _ := newFake(t)
	if _, err := r.Town(context.Background(), "Leeds"); !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("Town error = %v, want ErrNotFound", err)
	}
	got, err := r.Nearest(context.Background(), 53.8, -1.55)
	if diff := cmp.Diff(geo.Place{Lat: 53.8, Lon: -1.55, Source: "coordinates"}, got); err != nil || diff != "" {
		t.Errorf("Nearest = %v (-want +got):\n%s", err, diff)
	}
	if asked := f.asked(); len(asked) != 0 {
		t.Errorf("asked the service %v; Town and Nearest should not", asked)
	}
}

func TestNewRemoteBadURL(t *testing.T) {
	for _, u := range []string{"api.postcodes.io", "ftp://example.org", "http://", "://x"} {
		if _, err := geo.NewRemote(u, nil); err == nil {
			t.Errorf("NewRemote(%q) succeeded", u)
		}
	}
}
