// Command oas3 makes brokerfinder's OpenAPI 3 documents from swag's Swagger
// 2.0 output and the Go source the API is built from, so the documents say
// what the code does and cannot drift from it:
//
//   - schema names lose their Go package prefixes (directory.Provider is
//     Provider); a clash is an error, to be settled with a `// @name`;
//   - a time.Time field is a date-time, a float64 a double, a pointer field
//     without omitempty nullable (encoding/json sends null for nil), and a
//     response field without omitempty required (encoding/json always
//     sends it);
//   - a field tagged `vocab:"name"` gets the codes of that vocabulary of
//     internal/directory as its enum;
//   - every operation gets its handler's name as operationId, every tag is
//     declared, and every operation lists the statuses the API's shared
//     machinery can return (400/413/415 on bodies, 401/403 with a token,
//     429 from the rate limiter, 500 and 503);
//   - cacheable public reads (those whose Cache-Control is set by the
//     API's caching middleware) declare ETag, Cache-Control and 304.
//
// scripts/openapi.sh runs swag and then this; CI checks the output is
// committed. Besides openapi.json/.yaml (the whole API) it writes
// oruk.json, the Open Referral UK endpoints alone, which the ORUK root's
// openapi_url points to.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"

	"github.com/brokerfinder/brokerfinder/internal/api/cachepolicy"
	"github.com/brokerfinder/brokerfinder/internal/directory"
)

func main() {
	in := flag.String("in", "openapi/swagger.json", "swag's Swagger 2.0 document")
	out := flag.String("out", "openapi", "folder for openapi.json, openapi.yaml and oruk.json")
	src := flag.String("src", "internal/api,internal/directory,internal/finder,internal/match,internal/hsds", "the folders swag read, comma-separated")
	flag.Parse()
	if err := run(*in, *out, strings.Split(*src, ",")); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string, dirs []string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	src, err := parseSource(dirs)
	if err != nil {
		return err
	}
	raw, names, err := renameSchemas(raw)
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return err
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return err
	}
	if err := enrich(doc, src, names); err != nil {
		return err
	}
	if err := doc.Validate(openapi3.NewLoader().Context); err != nil {
		return fmt.Errorf("the OpenAPI 3 document is not valid: %w", err)
	}
	if err := write(filepath.Join(out, "openapi"), doc, true); err != nil {
		return err
	}
	oruk := orukOnly(doc)
	if err := oruk.Validate(openapi3.NewLoader().Context); err != nil {
		return fmt.Errorf("the ORUK OpenAPI 3 document is not valid: %w", err)
	}
	return write(filepath.Join(out, "oruk"), oruk, false)
}

func write(base string, doc *openapi3.T, withYAML bool) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "    "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	if err := os.WriteFile(base+".json", pretty.Bytes(), 0o644); err != nil {
		return err
	}
	if !withYAML {
		return nil
	}
	y, err := yaml.JSONToYAML(b)
	if err != nil {
		return err
	}
	return os.WriteFile(base+".yaml", y, 0o644)
}

// renameSchemas drops Go package prefixes from definition names
// (directory.Provider → Provider; hsds.Page-ORUKService → ORUKServicePage)
// and returns the new document and a map from new name to old.
func renameSchemas(raw []byte) ([]byte, map[string]string, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, nil, err
	}
	var defs map[string]json.RawMessage
	if err := json.Unmarshal(doc["definitions"], &defs); err != nil {
		return nil, nil, err
	}
	old := make([]string, 0, len(defs))
	for n := range defs {
		old = append(old, n)
	}
	sort.Strings(old)
	names := map[string]string{}
	for _, n := range old {
		names[cleanName(n)] = ""
	}
	if len(names) != len(old) {
		seen := map[string]string{}
		for _, n := range old {
			if o, ok := seen[cleanName(n)]; ok {
				return nil, nil, fmt.Errorf("schemas %s and %s would both be called %s: give one a `// @name`", o, n, cleanName(n))
			}
			seen[cleanName(n)] = n
		}
	}
	s := string(raw)
	// Longest first, so directory.Provider is not replaced inside
	// directory.ProviderX.
	slices.SortFunc(old, func(a, b string) int { return len(b) - len(a) })
	for _, n := range old {
		c := cleanName(n)
		names[c] = n
		if c == n {
			continue
		}
		s = strings.ReplaceAll(s, `"#/definitions/`+n+`"`, `"#/definitions/`+c+`"`)
	}
	var doc2 map[string]any
	if err := json.Unmarshal([]byte(s), &doc2); err != nil {
		return nil, nil, err
	}
	d := doc2["definitions"].(map[string]any)
	for _, n := range old {
		if c := cleanName(n); c != n {
			d[c] = d[n]
			delete(d, n)
		}
	}
	b, err := json.Marshal(doc2)
	return b, names, err
}

// cleanName is a definition's name without its package: the type's name,
// and for a generic type its argument's name first (ORUKServicePage).
func cleanName(n string) string {
	base, arg, generic := strings.Cut(n, "-")
	if i := strings.LastIndex(base, "."); i >= 0 {
		base = base[i+1:]
	}
	if generic {
		return cleanName(arg) + base
	}
	return base
}

// goStruct is a struct type as the source declares it.
type goStruct struct {
	pkg    string
	fields []goField
}

type goField struct {
	json      string // "" for an embedded struct flattened into its parent
	omitempty bool
	kind      string // "time", "double", "float", "pointer", "slice", "map", "other"
	embedded  string // the embedded type's key (pkg.Type), for json == ""
	vocab     string
}

// source is what the tool knows of the Go code: structs by pkg.Type (and
// by their @name), and handlers by route.
type source struct {
	structs    map[string]*goStruct
	operations map[string]string // "get /v1/providers/{id}" → handler name
}

var (
	atName   = regexp.MustCompile(`@name\s+(\S+)`)
	atRouter = regexp.MustCompile(`@Router\s+(\S+)\s+\[(\w+)\]`)
)

func parseSource(dirs []string) (*source, error) {
	src := &source{structs: map[string]*goStruct{}, operations: map[string]string{}}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				return nil, err
			}
			pkgName := f.Name.Name
			{
				// Trailing comments by line, for `} // @name X`.
				trailing := map[int]string{}
				for _, cg := range f.Comments {
					trailing[fset.Position(cg.Pos()).Line] = cg.Text()
				}
				for _, decl := range f.Decls {
					switch d := decl.(type) {
					case *ast.FuncDecl:
						if d.Doc == nil {
							continue
						}
						for _, m := range atRouter.FindAllStringSubmatch(d.Doc.Text(), -1) {
							key := strings.ToLower(m[2]) + " " + m[1]
							if prev, ok := src.operations[key]; ok {
								return nil, fmt.Errorf("%s is routed to both %s and %s", key, prev, d.Name.Name)
							}
							src.operations[key] = d.Name.Name
						}
					case *ast.GenDecl:
						for _, spec := range d.Specs {
							ts, ok := spec.(*ast.TypeSpec)
							if !ok {
								continue
							}
							st, ok := ts.Type.(*ast.StructType)
							if !ok {
								continue
							}
							gs := &goStruct{pkg: pkgName, fields: structFields(pkgName, st)}
							src.structs[pkgName+"."+ts.Name.Name] = gs
							if m := atName.FindStringSubmatch(trailing[fset.Position(st.End()).Line]); m != nil {
								src.structs[m[1]] = gs
							}
						}
					}
				}
			}
		}
	}
	return src, nil
}

func structFields(pkg string, st *ast.StructType) []goField {
	var out []goField
	for _, f := range st.Fields.List {
		tag := reflect.StructTag("")
		if f.Tag != nil {
			tag = reflect.StructTag(strings.Trim(f.Tag.Value, "`"))
		}
		if tag.Get("swaggerignore") == "true" {
			continue
		}
		name, opts, _ := strings.Cut(tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		gf := goField{json: name, omitempty: strings.Contains(opts, "omitempty"), kind: kindOf(f.Type), vocab: tag.Get("vocab")}
		if len(f.Names) == 0 && name == "" {
			gf.embedded = typeKey(pkg, f.Type)
			out = append(out, gf)
			continue
		}
		if len(f.Names) == 0 || !f.Names[0].IsExported() {
			continue
		}
		if gf.json == "" {
			gf.json = f.Names[0].Name
		}
		out = append(out, gf)
	}
	return out
}

func kindOf(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		if k := kindOf(t.X); k == "time" {
			return "nullable-time"
		} else if k == "double" {
			return "nullable-double"
		}
		return "pointer"
	case *ast.ArrayType:
		if k := kindOf(t.Elt); k == "double" || k == "float" {
			return "slice-" + k
		}
		return "slice"
	case *ast.MapType:
		return "map"
	case *ast.SelectorExpr:
		if id, ok := t.X.(*ast.Ident); ok && id.Name == "time" && t.Sel.Name == "Time" {
			return "time"
		}
	case *ast.Ident:
		switch t.Name {
		case "float64":
			return "double"
		case "float32":
			return "float"
		}
	}
	return "other"
}

func typeKey(pkg string, e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return typeKey(pkg, t.X)
	case *ast.Ident:
		return pkg + "." + t.Name
	case *ast.SelectorExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name + "." + t.Sel.Name
		}
	}
	return ""
}

// operationID is the handler's name, or for a handler of several routes
// its name and the route's path in words (orukPreflightTaxonomyTerms).
func (s *source) operationID(key string) string {
	h := s.operations[key]
	n := 0
	for _, other := range s.operations {
		if other == h {
			n++
		}
	}
	if h == "" || n == 1 {
		return h
	}
	_, path, _ := strings.Cut(key, " ")
	var words []string
	for _, seg := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '_' || r == '{' || r == '}' || r == '-' }) {
		words = append(words, strings.ToUpper(seg[:1])+seg[1:])
	}
	if strings.HasSuffix(path, "/") {
		words = append(words, "Index")
	}
	return h + strings.Join(words, "")
}

// fields returns a struct's JSON fields with embedded structs flattened,
// as encoding/json (and swag) see them.
func (s *source) fields(key string) []goField {
	gs := s.structs[key]
	if gs == nil {
		return nil
	}
	var out []goField
	for _, f := range gs.fields {
		if f.json == "" {
			out = append(out, s.fields(f.embedded)...)
			continue
		}
		out = append(out, f)
	}
	return out
}

// structKey finds the Go struct behind a definition's original name.
func (s *source) structKey(orig string) string {
	base, _, _ := strings.Cut(orig, "-")
	if _, ok := s.structs[base]; ok {
		return base
	}
	return ""
}

func enrich(doc *openapi3.T, src *source, names map[string]string) error {
	vocabs := map[string][]any{}
	for _, v := range directory.Vocabularies() {
		for _, t := range v.Terms {
			vocabs[v.Name] = append(vocabs[v.Name], t.Code)
		}
	}
	doc.OpenAPI = "3.0.3"
	requestSchemas := requestOnly(doc)
	for name, ref := range doc.Components.Schemas {
		key := src.structKey(names[name])
		if key == "" || ref.Value == nil {
			continue
		}
		sch := ref.Value
		// A response field is required when encoding/json always sends
		// it; a request schema keeps swag's list, from the fields'
		// binding:"required" tags.
		if !requestSchemas[name] {
			sch.Required = nil
		}
		for _, f := range src.fields(key) {
			prop := sch.Properties[f.json]
			if prop == nil {
				continue
			}
			if f.vocab != "" {
				codes, ok := vocabs[f.vocab]
				if !ok {
					return fmt.Errorf("%s.%s: no vocabulary %q", name, f.json, f.vocab)
				}
				target := prop.Value
				if target != nil && target.Items != nil {
					target = target.Items.Value
				}
				if target == nil {
					return fmt.Errorf("%s.%s: tagged vocab but not a string or list", name, f.json)
				}
				target.Enum = codes
			}
			switch f.kind {
			case "time", "nullable-time":
				prop.Value.Format = "date-time"
			case "double", "nullable-double":
				if prop.Value.Type.Is("number") {
					prop.Value.Format = "double"
				}
			case "float":
				prop.Value.Format = "float"
			case "slice-double":
				if prop.Value.Items != nil && prop.Value.Items.Value != nil {
					prop.Value.Items.Value.Format = "double"
				}
			}
			if !f.omitempty && (f.kind == "pointer" || strings.HasPrefix(f.kind, "nullable")) {
				if prop.Ref != "" {
					sch.Properties[f.json] = &openapi3.SchemaRef{Value: &openapi3.Schema{AllOf: openapi3.SchemaRefs{{Ref: prop.Ref}}, Nullable: true}}
				} else {
					prop.Value.Nullable = true
				}
			}
			if !f.omitempty && !requestSchemas[name] {
				sch.Required = append(sch.Required, f.json)
			}
		}
		sort.Strings(sch.Required)
		sch.Required = slices.Compact(sch.Required)
	}
	return operations(doc, src)
}

// requestOnly names the schemas reachable from a request body: their
// fields are what a client may send, so omitempty says nothing about
// whether they are required.
func requestOnly(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	var visit func(ref *openapi3.SchemaRef)
	visit = func(ref *openapi3.SchemaRef) {
		if ref == nil {
			return
		}
		if ref.Ref != "" {
			n := strings.TrimPrefix(ref.Ref, "#/components/schemas/")
			if out[n] {
				return
			}
			out[n] = true
			visit(doc.Components.Schemas[n])
			return
		}
		v := ref.Value
		if v == nil {
			return
		}
		for _, p := range v.Properties {
			visit(p)
		}
		visit(v.Items)
		for _, a := range v.AllOf {
			visit(a)
		}
		if v.AdditionalProperties.Schema != nil {
			visit(v.AdditionalProperties.Schema)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					visit(mt.Schema)
				}
			}
		}
	}
	return out
}

// errorRef is the Error schema, resolved by operations.
var errorRef = &openapi3.SchemaRef{Ref: "#/components/schemas/Error"}

func errorResponse(desc string, headers openapi3.Headers) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Value: &openapi3.Response{
		Description: &desc,
		Headers:     headers,
		Content:     openapi3.NewContentWithJSONSchemaRef(errorRef),
	}}
}

func header(desc string) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: desc, Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
	}}}
}

// operations sets operationIds and declared tags, and adds the statuses
// and headers the API's shared machinery gives every route of a kind.
func operations(doc *openapi3.T, src *source) error {
	tags := map[string]bool{}
	for _, t := range doc.Tags {
		tags[t.Name] = true
	}
	if e := doc.Components.Schemas["Error"]; e != nil {
		errorRef.Value = e.Value
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := strings.ToLower(method) + " " + path
			if op.OperationID == "" {
				op.OperationID = src.operationID(key)
			}
			if op.OperationID == "" {
				return fmt.Errorf("%s: no handler with an @Router annotation found", key)
			}
			if prev, ok := ids[op.OperationID]; ok {
				return fmt.Errorf("operationId %s is used by %s and %s: give one an @ID", op.OperationID, prev, key)
			}
			ids[op.OperationID] = key
			for _, t := range op.Tags {
				if !tags[t] {
					tags[t] = true
					doc.Tags = append(doc.Tags, &openapi3.Tag{Name: t})
				}
			}
			addStatuses(method, path, op)
		}
	}
	sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Name < doc.Tags[j].Name })
	return nil
}

func addStatuses(method, path string, op *openapi3.Operation) {
	add := func(status int, desc string, headers openapi3.Headers) {
		if op.Responses.Status(status) == nil {
			op.Responses.Set(fmt.Sprint(status), errorResponse(desc, headers))
		}
	}
	static := cachepolicy.Static(path)
	if op.RequestBody != nil {
		add(400, "The request is not valid: fields names each problem.", nil)
		add(413, "The request body is too large.", nil)
		add(415, "The body is not application/json.", nil)
	}
	// Every route refuses a query parameter it does not take.
	add(400, "The request is not valid (such as a query parameter this endpoint does not take): fields names each problem.", nil)
	if op.Security != nil && len(*op.Security) > 0 {
		add(401, "No valid API token was sent.", openapi3.Headers{"WWW-Authenticate": header("Bearer realm")})
		add(403, "The token does not allow this.", nil)
	} else if !static && !cachepolicy.Free(path) {
		// Every route refuses a bad token, even where none is needed.
		add(401, "An Authorization header was sent without a valid API token.", openapi3.Headers{"WWW-Authenticate": header("Bearer realm")})
	}
	free := static || cachepolicy.Free(path)
	if !free {
		add(429, "Too many requests from this address: wait and try again.", openapi3.Headers{"Retry-After": header("Seconds to wait")})
	}
	if !free {
		add(500, "Something went wrong on the server.", nil)
		add(503, "The store cannot be reached or the search copies are still loading; try again shortly.", openapi3.Headers{"Retry-After": header("Seconds to wait")})
	}
	if method != "GET" {
		return
	}
	paging(op)
	policy := cachepolicy.For(path)
	if policy == "" {
		return
	}
	for code, r := range op.Responses.Map() {
		if code == "200" && r.Value != nil {
			if r.Value.Headers == nil {
				r.Value.Headers = openapi3.Headers{}
			}
			r.Value.Headers["ETag"] = header("A strong validator of this response, for If-None-Match")
			r.Value.Headers["Cache-Control"] = header(policy)
		}
	}
	notModified := "Not modified: the If-None-Match ETag is current."
	if op.Responses.Status(304) == nil {
		op.Responses.Set("304", &openapi3.ResponseRef{Value: &openapi3.Response{Description: &notModified,
			Headers: openapi3.Headers{"ETag": header("The current ETag")}}})
	}
	op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
		Name: "If-None-Match", In: "header", Description: "ETags from earlier answers: 304 if one is current.",
		Schema: &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
	}})
}

// paging states the one paging rule (internal/directory/paging.go) on
// every GET list, and the Link header its pages carry.
func paging(op *openapi3.Operation) {
	isList := false
	for _, p := range op.Parameters {
		if p.Value == nil || p.Value.In != "query" || p.Value.Schema == nil || p.Value.Schema.Value == nil {
			continue
		}
		sch := p.Value.Schema.Value
		switch p.Value.Name {
		case "page":
			isList = true
			sch.Min = ptr(1.0)
			sch.Max = ptr(float64(directory.MaxPage))
			sch.Default = 1
			p.Value.Description = fmt.Sprintf("Page number, from 1 to %d; outside that, 400 naming page.", directory.MaxPage)
		case "per_page":
			sch.Min = ptr(1.0)
			sch.Default = directory.DefaultPerPage
			p.Value.Description = fmt.Sprintf("Items per page, 1 or more; above %d is cut to %d (the answer says which was used); below 1, 400 naming per_page.", directory.MaxPerPage, directory.MaxPerPage)
		}
	}
	if !isList {
		return
	}
	if r := op.Responses.Status(200); r != nil && r.Value != nil {
		if r.Value.Headers == nil {
			r.Value.Headers = openapi3.Headers{}
		}
		r.Value.Headers["Link"] = header(`RFC 8288 links to the next and previous pages (rel="next", rel="prev"), when there are such pages.`)
	}
}

func ptr[T any](v T) *T { return &v }

// orukOnly is the document of the Open Referral UK endpoints alone, with
// only the schemas they use.
func orukOnly(doc *openapi3.T) *openapi3.T {
	b, _ := json.Marshal(doc)
	var out openapi3.T
	_ = json.Unmarshal(b, &out)
	out.Info.Title = "brokerfinder Open Referral UK API"
	out.Info.Description = "The Open Referral UK (HSDS) endpoints of brokerfinder, read-only and public."
	paths := openapi3.NewPaths()
	used := map[string]bool{}
	for path, item := range out.Paths.Map() {
		if path == "/oruk" || strings.HasPrefix(path, "/oruk/") {
			paths.Set(path, item)
		}
	}
	out.Paths = paths
	raw, _ := json.Marshal(paths)
	refs := regexp.MustCompile(`#/components/schemas/([A-Za-z0-9_.-]+)`)
	queue := []string{}
	for _, m := range refs.FindAllStringSubmatch(string(raw), -1) {
		queue = append(queue, m[1])
	}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if used[n] {
			continue
		}
		used[n] = true
		b, _ := json.Marshal(out.Components.Schemas[n])
		for _, m := range refs.FindAllStringSubmatch(string(b), -1) {
			queue = append(queue, m[1])
		}
	}
	for n := range out.Components.Schemas {
		if !used[n] {
			delete(out.Components.Schemas, n)
		}
	}
	tagUsed := map[string]bool{}
	for _, item := range paths.Map() {
		for _, op := range item.Operations() {
			for _, t := range op.Tags {
				tagUsed[t] = true
			}
		}
	}
	out.Tags = slices.DeleteFunc(out.Tags, func(t *openapi3.Tag) bool { return !tagUsed[t.Name] })
	out.Components.SecuritySchemes = nil
	if err := openapi3.NewLoader().ResolveRefsIn(&out, nil); err != nil {
		log.Fatalf("the ORUK document's references: %v", err)
	}
	return &out
}
