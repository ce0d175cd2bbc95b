#!/usr/bin/env bash
# Makes every OpenAPI document in openapi/: swag's Swagger 2.0 from the
# handlers' annotations (swagger.json, swagger.yaml), then tools/oas3's
# OpenAPI 3 from that and the Go source (openapi.json, openapi.yaml, and
# oruk.json for the ORUK endpoints). Run it after changing annotations or
# API types, and commit the result. CI runs it with --check.
#
#   scripts/openapi.sh          # write openapi/
#   scripts/openapi.sh --check  # fail if openapi/ is not what it would write
set -euo pipefail
cd "$(dirname "$0")/.."
out=openapi
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
go tool swag init -q -g server.go -d internal/api,internal/directory,internal/finder,internal/match,internal/hsds -o "$out" --outputTypes json,yaml
go run ./tools/oas3 -in "$out/swagger.json" -out "$out"
if [ "${1:-}" = "--check" ]; then
  if ! diff -ru --exclude=openapi.go openapi "$out"; then
    echo "openapi/ is out of date: run scripts/openapi.sh and commit the result" >&2
    exit 1
  fi
  echo "openapi/ matches the annotations and the Go source"
fi
