#!/usr/bin/env bash
# Copies the Swagger UI files served at /docs from the npm package pinned in
# tools/docs/package.json (and package-lock.json) into internal/api/docs, where
# go:embed builds them into the binary. Run after changing the pinned version,
# then commit the result. Needs npm; the build and tests do not.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd tools/docs && npm ci --no-audit --no-fund --ignore-scripts)
src=tools/docs/node_modules/swagger-ui-dist
dst=internal/api/docs
for f in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css favicon-32x32.png LICENSE NOTICE; do
  cp "$src/$f" "$dst/$f"
done
echo "copied swagger-ui-dist $(node -p "require('./$src/package.json').version") into $dst"
