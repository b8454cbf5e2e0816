#!/bin/sh
# Renders a report HTML page in headless Chromium and checks that the tables and the SVG
# charts are in the rendered DOM; also takes a screenshot.
# Usage: render_check.sh REPORT.html [SCREENSHOT.png]
# Exit: 0 ok, 1 check failed, 2 usage error, 77 Chromium not installed (CTest SKIP).
set -eu

html=${1:-}
if [ -z "$html" ] || [ ! -f "$html" ]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png] (file not found: '$html')" >&2
  exit 2
fi
png=${2:-${html%.html}.png}

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed" >&2
  exit 77
fi

profile=$(mktemp -d)
dom=$(mktemp)
trap 'rm -rf "$profile" "$dom"' EXIT
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
flags="--headless --no-sandbox --disable-gpu --disable-background-networking \
--disable-component-update --disable-sync --no-first-run --user-data-dir=$profile"

# shellcheck disable=SC2086
timeout 120 "$browser" $flags --dump-dom "file://$abs" >"$dom" 2>/dev/null

fail=0
check() {  # check LABEL MIN PATTERN: at least MIN occurrences of PATTERN in the DOM
  n=$(grep -o "$3" "$dom" | wc -l)
  if [ "$n" -lt "$2" ]; then
    echo "FAIL: $1: expected at least $2, found $n" >&2
    fail=1
  else
    echo "ok: $1 ($n)"
  fi
}
check "rendered document" 1 '<html lang="fr"'
check "tables" 4 '<table>'
check "table captions" 4 '<caption>'
check "public table" 1 '<caption>Public-cible</caption>'
check "row headers" 8 'scope="row"'
check "inline SVG charts" 1 '<svg'
check "targets chart" 1 'class="chart-targets"'
check "journey-length histogram" 1 'class="chart-histogram"'
check "Kaplan-Meier curve" 1 'class="chart-km"'
check "French labels" 1 "dont BPI moins de 25 ans"
if grep -q '<script' "$dom"; then echo "FAIL: unexpected script" >&2; fail=1; fi

# shellcheck disable=SC2086
timeout 120 "$browser" $flags --hide-scrollbars --window-size=1280,2400 \
  --screenshot="$png" "file://$abs" >/dev/null 2>&1 || true
if [ -s "$png" ]; then
  echo "ok: screenshot $png"
else
  echo "FAIL: no screenshot written to $png" >&2
  fail=1
fi
exit $fail
