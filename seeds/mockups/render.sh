#!/bin/sh
# Renders the mockups to ../screens/*.png (780 × 1688, device scale 2) and
# shrinks them. Needs chromium, pngquant and optipng; the font is Inter
# (Debian: fonts-inter), Liberation Sans is the fallback.
# `./render.sh measure` prints the positions of the data-note elements in
# percent instead (for placing the demo annotations in ../demo.json).
set -eu
cd "$(dirname "$0")"
here=$(pwd)
out=../screens
for html in [0-9]-*.html; do
  page=${html%.html}
  profile=$(mktemp -d)
  flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$profile --hide-scrollbars --force-device-scale-factor=2 --window-size=390,844"
  if [ "${1:-}" = measure ]; then
    echo "== $page"
    # shellcheck disable=SC2086
    chromium $flags --virtual-time-budget=2000 --dump-dom "file://$here/$page.html#measure" 2>/dev/null |
      sed -n '/<pre id="measure">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
  else
    # shellcheck disable=SC2086
    chromium $flags --screenshot="$out/$page.png" "file://$here/$page.html" 2>/dev/null
    pngquant --force --skip-if-larger --quality=80-95 --speed 1 --output "$out/$page.png" "$out/$page.png" || true
    optipng -quiet -o2 -strip all "$out/$page.png"
  fi
  rm -rf "$profile"
done
[ "${1:-}" = measure ] || ls -l "$out"/*.png
