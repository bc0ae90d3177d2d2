#!/bin/sh
# Renders the example figures and tables of BrSGDExperiments from synthetic records (not
# results) into a directory outside the repository, and converts the SVGs to PNG when
# rsvg-convert (Debian: librsvg2-bin) is installed. Usage: Scripts/render_example_figures.sh [dir]
set -eu
out="${1:-$(mktemp -d /tmp/brsgd-figures.XXXXXX)}"
mkdir -p "$out"
cd "$(dirname "$0")/.."
BRSGD_EXAMPLE_DIR="$out" swift test --filter 'BrSGDExperimentsTests.PlotTests/writeExampleFigures' >/dev/null
if command -v rsvg-convert >/dev/null 2>&1; then
    for svg in "$out"/*.svg; do rsvg-convert --zoom 2 -o "${svg%.svg}.png" "$svg"; done
fi
echo "$out"
