package web_test

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingBody counts the bytes the server reads of a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// onlyReader hides a body's length, so the client sends it chunked and the
// server cannot refuse it by its Content-Length.
type onlyReader struct{ io.Reader }

// sendWhileReading sends req on a connection of its own and reads the
// answer while still sending. A server that refuses a body answers and
// closes without reading the rest, so the client's write may fail with a
// reset; http.Client then reports that error rather than the answer,
// depending on which it notices first.
func sendWhileReading(addr string, req *http.Request) (*http.Response, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() { _ = req.Write(conn) }() // fails once the server closes: expected
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	res.Body = closeBoth{res.Body, conn}
	return res, nil
}

// closeBoth closes a response body and its connection.
type closeBoth struct {
	io.ReadCloser
	conn net.Conn
}

func (c closeBoth) Close() error {
	err := c.ReadCloser.Close()
	c.conn.Close()
	return err
}

// TestResultsRefusesLargeAndMultipartBodies: the search form is a few KiB,
// so larger bodies and multipart ones are refused with a page saying why,
// having read no more than the cap (16 such requests once took the server
// from 50 MiB to 1 GiB).
func TestResultsRefusesLargeAndMultipartBodies(t *testing.T) {
	var read atomic.Int64
	srv := newServerWith(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = countingBody{r.Body, &read}
			h.ServeHTTP(w, r)
		})
	})
	const big = 2 << 20
	form := "where=LS6&help=cv&x=" + strings.Repeat("a", big)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("where", "LS6")
	fw, _ := mw.CreateFormFile("file", "big.bin")
	_, _ = fw.Write(bytes.Repeat([]byte("a"), big))
	_ = mw.Close()
	for _, tc := range []struct {
		name, contentType string
		body              func() io.Reader
		status            int
		text              string
	}{
		{"2 MiB form, length declared", "application/x-www-form-urlencoded", func() io.Reader { return strings.NewReader(form) }, 413, "too large"},
		{"2 MiB form, chunked", "application/x-www-form-urlencoded", func() io.Reader { return onlyReader{strings.NewReader(form)} }, 413, "too large"},
		{"multipart", mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(mp.Bytes()) }, 415, "search form"},
		{"multipart, chunked", mw.FormDataContentType(), func() io.Reader { return onlyReader{bytes.NewReader(mp.Bytes())} }, 415, "search form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read.Store(0)
			req, _ := http.NewRequest("POST", srv.URL+"/results", tc.body())
			req.Header.Set("Content-Type", tc.contentType)
			start := time.Now()
			res, err := sendWhileReading(srv.Listener.Addr().String(), req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status || !strings.Contains(string(b), tc.text) || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, want %d with a page saying %q: %.300s", res.StatusCode, tc.status, tc.text, b)
			}
			if n := read.Load(); n > 64<<10+1 {
				t.Errorf("the server read %d bytes of the body, more than the 64 KiB cap", n)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
	// The form itself still works.
	if p := post(t, srv.URL, "/results", map[string][]string{"where": {"LS11"}, "help": {"cv"}}); p.status != http.StatusOK {
		t.Fatalf("the search form: %d", p.status)
	}
}
