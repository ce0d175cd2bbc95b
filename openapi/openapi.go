// Package openapi holds brokerfinder's OpenAPI documents, so the binary can
// serve the very documents that are committed: swag's Swagger 2.0 output
// (swagger.json, swagger.yaml, made from the handlers' annotations) and the
// OpenAPI 3 documents tools/oas3 makes from it and the Go source
// (openapi.json, openapi.yaml, and oruk.json for the Open Referral UK
// endpoints alone). scripts/openapi.sh makes them all.
package openapi

import _ "embed"

// JSON is the Swagger 2.0 document as JSON (swagger.json).
//
//go:embed swagger.json
var JSON []byte

// YAML is the same document as YAML (swagger.yaml).
//
//go:embed swagger.yaml
var YAML []byte

// V3 is the OpenAPI 3 document of the whole API (openapi.json).
//
//go:embed openapi.json
var V3 []byte

// ORUK is the OpenAPI 3 document of the Open Referral UK endpoints
// (oruk.json), which the ORUK root's openapi_url points to.
//
//go:embed oruk.json
var ORUK []byte
