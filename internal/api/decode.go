package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/brokerfinder/brokerfinder/internal/directory"
)

// decodeJSON reads the body into dst strictly: JSON only, within the size
// limit, no unknown fields, no trailing data, and every mistake reported as a
// field problem. It replaces Gin's ShouldBindJSON because that cannot name
// the offending field for unknown fields or wrong types.
func (s *Server) decodeJSON(c *gin.Context, dst any) error {
	body, err := s.readJSONBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, dst)
}

// readJSONBody reads a JSON body within the size limit.
func (s *Server) readJSONBody(c *gin.Context) ([]byte, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errMediaType
		}
	}
	// Refused unread when it says it is too large; otherwise read through
	// a cap, for bodies that do not say their length.
	if c.Request.ContentLength > s.maxBodyBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, directory.Invalid("body", "could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, directory.Invalid("body", "is required: send a JSON object")
	}
	return body, nil
}

// decodeStrict decodes body into dst: no unknown fields, no trailing data,
// and every mistake reported as a field problem.
func decodeStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			// encoding/json names only the field, not where it is: find
			// every unknown field with its full path.
			var raw any
			if json.Unmarshal(body, &raw) == nil {
				if ps := unknownFields(raw, reflect.TypeOf(dst), ""); len(ps) > 0 {
					return &directory.ValidationError{Problems: ps}
				}
			}
		}
		return jsonProblem(err)
	}
	if dec.More() {
		return directory.Invalid("body", "must hold one JSON object and nothing after it")
	}
	return nil
}

// unknownFields walks decoded JSON alongside the Go type it is meant for and
// reports every object key the type has no field for, as a JSON path.
func unknownFields(v any, t reflect.Type, path string) []directory.FieldProblem {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	var out []directory.FieldProblem
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[strings.ToLower(k)] // encoding/json ignores case too
			if !ok {
				out = append(out, directory.FieldProblem{Field: join(k), Message: "is not a known field"})
				continue
			}
			out = append(out, unknownFields(x[k], ft, join(k))...)
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return nil
		}
		for i, e := range x {
			out = append(out, unknownFields(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

// jsonFields maps a struct's JSON names, lower-cased (following embedded
// structs), to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		m[strings.ToLower(name)] = f.Type
	}
	return m
}

// jsonProblem turns a decoding error into a field problem.
func jsonProblem(err error) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		return directory.Invalid("body", "is not valid JSON (at byte %d): %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return directory.Invalid(field, "must be %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return directory.Invalid("body", "is not complete JSON")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return directory.Invalid(name, "is not a known field")
	}
	return directory.Invalid("body", "could not be read as JSON: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "uint", "uint64":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	case "slice", "array":
		return "a list"
	case "struct", "map", "ptr":
		return "an object"
	}
	return fmt.Sprintf("a %s", k)
}

// queryInt reads an optional whole-number query parameter within [min, max].
func queryInt(c *gin.Context, name string, def, min, max int) (int, *directory.FieldProblem) {
	raw, ok := c.GetQuery(name)
	if !ok || raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < min || n > max {
		return 0, &directory.FieldProblem{Field: name, Message: fmt.Sprintf("must be a whole number from %d to %d", min, max)}
	}
	return n, nil
}
