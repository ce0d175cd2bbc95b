#!/usr/bin/env bash
# Copies the Swagger UI files served at /docs from the npm package pinned in
# tools/docs/package.json (and package-lock.json) into internal/api/docs, where
# go:embed builds them into the binary. Run after changing the pinned version,
# then commit the result. Needs npm; the build and tests do not. CI runs it
# with --check to catch drift between the lock file and the committed files.
#
#   scripts/update-docs-assets.sh          # copy the files
#   scripts/update-docs-assets.sh --check  # fail if they differ
set -euo pipefail
cd "$(dirname "$0")/.."
(cd tools/docs && npm ci --no-audit --no-fund --ignore-scripts)
src=tools/docs/node_modules/swagger-ui-dist
dst=internal/api/docs
files="swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE"
version=$(node -p "require('./$src/package.json').version")
if [ "${1:-}" = "--check" ]; then
  for f in $files; do
    if ! cmp -s "$src/$f" "$dst/$f"; then
      echo "$dst/$f differs from swagger-ui-dist $version: run scripts/update-docs-assets.sh and commit" >&2
      exit 1
    fi
  done
  echo "Swagger UI files match swagger-ui-dist $version"
  exit 0
fi
for f in $files; do
  cp "$src/$f" "$dst/$f"
done
echo "copied swagger-ui-dist $version into $dst"
