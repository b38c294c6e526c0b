#!/usr/bin/env bash
# Renders a codifica HTML report in headless Chromium and saves a PNG screenshot, to check that
# the self-contained report (inline CSS/SVG, no script, no network) displays.
# Usage: scripts/screenshot_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
# Exit 0 with "SKIPPED: chromium not installed" when there is no Chromium.
set -euo pipefail
html=${1:?usage: screenshot_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
png=${2:?usage: screenshot_report.sh REPORT.html OUT.png [WIDTHxHEIGHT]}
size=${3:-1200x4000}
chromium=""
for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -x "$c" ]; then chromium=$c; break; fi
done
if [ -z "$chromium" ]; then
  echo "SKIPPED: chromium not installed"
  exit 0
fi
[ -f "$html" ] || { echo "error: $html not found" >&2; exit 1; }
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
out_abs=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$out_abs" --window-size="${size/x/,}" \
  "file://$abs" >/dev/null 2>&1 || true
if [ ! -s "$out_abs" ]; then
  echo "error: chromium wrote no screenshot to $out_abs" >&2
  exit 1
fi
echo "$out_abs"
