// Package openapi holds brokerfinder's OpenAPI (Swagger 2.0) document, made
// by `go tool swag init` from the handlers' annotations (see the README), so
// the binary can serve the very document that is committed.
package openapi

import _ "embed"

// JSON is the document as JSON (swagger.json).
//
//go:embed swagger.json
var JSON []byte

// YAML is the same document as YAML (swagger.yaml).
//
//go:embed swagger.yaml
var YAML []byte
