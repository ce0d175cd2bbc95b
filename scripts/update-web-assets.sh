#!/usr/bin/env bash
# Rebuilds the GOV.UK Frontend files embedded in internal/web/assets from
# node_modules (run `npm ci` first). The results are committed, so the binary
# builds on a fresh clone without npm; CI runs this with --check to catch
# drift between package-lock.json and the committed files.
#
#   scripts/update-web-assets.sh          # write the files
#   scripts/update-web-assets.sh --check  # fail if they differ
set -euo pipefail
cd "$(dirname "$0")/.."

src=node_modules/govuk-frontend/dist/govuk
if [ ! -d "$src" ] || [ ! -x node_modules/.bin/sass ]; then
  echo "node_modules is missing: run npm ci" >&2
  exit 1
fi

out=internal/web/assets
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

# Our stylesheet is GOV.UK Frontend's Sass with settings for a service not on
# GOV.UK (no GDS Transport font, assets under /assets/), plus our own rules.
node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
  --quiet-deps internal/web/scss/app.scss "$out/app.css"
cp "$src/govuk-frontend.min.js" "$out/govuk-frontend.min.js"
# The source map comment points at a file we do not ship.
sed -i 's|//# sourceMappingURL=.*$||' "$out/govuk-frontend.min.js"

if [ "${1:-}" = "--check" ]; then
  for f in app.css govuk-frontend.min.js; do
    if ! cmp -s "$out/$f" "internal/web/assets/$f"; then
      echo "internal/web/assets/$f differs from what node_modules builds: run scripts/update-web-assets.sh and commit" >&2
      exit 1
    fi
  done
  echo "web assets match node_modules"
fi
