// Package apiclient is a Go client of the API generated from
// openapi/openapi.json by oapi-codegen (pinned in go.mod's tool block) with
// scripts/openapi.sh. Only the tests use it: TestGeneratedClientAdviserFlow
// runs an adviser's whole flow through it, so the document stays one a
// third-party generator can build a working client from.
package apiclient
