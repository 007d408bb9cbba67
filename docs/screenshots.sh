#!/usr/bin/env bash
# Retakes the screenshots in docs/screens/: every mode at 1280x720 (a classroom projector) and at
# 1920x1080 with text scale 1.5, in the dark and the light theme, taken by the app itself.
#   docs/screenshots.sh [build/app/unrolled]
set -euo pipefail
cd "$(dirname "$0")/.."
exe=${1:-build/app/unrolled}
out=docs/screens
mkdir -p "$out"
export UNROLLED_SETTINGS=$(mktemp -d)/settings.json
run() { xvfb-run -a -s "-screen 0 1920x1080x24" "$exe" "$@"; }
for theme in dark light; do
  for screen in "1280x720 1" "1920x1080 1.5"; do
    set -- $screen
    size=$1 scale=$2
    tag="${size}-${theme}"
    run --mode train --size "$size" --scale "$scale" --theme "$theme" --warmup 150 --paused \
        --screenshot "$out/train-$tag.png"
    run --mode step --size "$size" --scale "$scale" --theme "$theme" --warmup 40 --paused \
        --steps-forward 21 --steps-backward 8 --screenshot "$out/step-$tag.png"
    run --mode compare --preset compare --size "$size" --scale "$scale" --theme "$theme" \
        --warmup 150 --paused --screenshot "$out/compare-$tag.png"
    run --mode cliff --size "$size" --scale "$scale" --theme "$theme" --paused --frames 6 \
        --screenshot "$out/cliff-$tag.png"
    run --mode sweep --size "$size" --scale "$scale" --theme "$theme" --paused --frames 6 \
        --screenshot "$out/sweep-$tag.png"
    run --preset sentiment --warmup 400 --probe --input "the film is not bad" --size "$size" \
        --scale "$scale" --theme "$theme" --frames 6 --screenshot "$out/inspect-$tag.png"
  done
done
# A tour step (the compare lesson's question, then its answer) and presenter mode, at 1280x720.
run --preset compare --size 1280x720 --tour-step 2 --frames 6 --screenshot "$out/tour-question-1280x720.png"
run --preset default --size 1280x720 --tour-step 4 --frames 6 --screenshot "$out/tour-step-1280x720.png"
xvfb-run -a -s "-screen 0 1280x720x24" "$exe" --preset vanishing --tour-step 2 --present --frames 12 \
    --screenshot "$out/present-1280x720.png"
echo "screenshots in $out"
# The Inspect view for the README: the sentiment lesson's LSTM probed with a typed review.
run --preset sentiment --warmup 400 --probe --input "the film is not bad" --size 1600x900 \
    --frames 6 --screenshot docs/inspect.png
