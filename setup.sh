#!/usr/bin/env bash
# Unrolled's one script: installs what a build needs, builds, runs, tests.
#
#   ./setup.sh            install the Debian 12 packages that are missing (quiet when none are)
#   ./setup.sh run [ARGS] install, build, and open the app (ARGS go to `unrolled`)
#   ./setup.sh test       install, build, and run every test: the Release suite (GUI tests under
#                         Xvfb when there is no display), then the suite again under
#                         AddressSanitizer + UndefinedBehaviorSanitizer
#   ./setup.sh bench      install, build, and run the benchmarks
#
# apt-get runs as root directly, through sudo otherwise. Nothing is downloaded but Debian packages.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev nlohmann-json3-dev libtbb-dev
  googletest libgtest-dev libbenchmark-dev
  libglfw3-dev libimgui-dev libstb-dev libgl-dev
  fonts-dejavu-core
  xvfb xauth
)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

jobs=$(nproc 2>/dev/null || echo 2)

# build DIR [cmake options...]: configure once, then build incrementally.
build() {
  local dir=$1
  shift
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    echo "setup: configuring $dir failed" >&2
    exit 1
  fi
  if ! cmake --build "$dir" -j "$jobs" >"$dir/build.log" 2>&1; then
    grep -E -A5 "error|Error" "$dir/build.log" | head -60 >&2
    echo "setup: the build in $dir failed (full log: $dir/build.log)" >&2
    exit 1
  fi
}

# Runs a command under a virtual X server when there is no display.
with_display() {
  if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a -s "-screen 0 1920x1080x24" "$@"; fi
}

cmd=${1:-deps}
[ $# -gt 0 ] && shift
case "$cmd" in
  deps)
    install_packages
    ;;
  run)
    install_packages
    build build
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "unrolled: no display here. Try: xvfb-run -a build/app/unrolled --screenshot shot.png," \
           "or the headless subcommands: build/app/unrolled train --config samples/<lesson>.json," \
           "build/app/unrolled grad --model M.json --batch B.json (see build/app/unrolled --help)"
      exit 0
    fi
    exec build/app/unrolled "$@"
    ;;
  test)
    install_packages
    build build
    echo "== Release suite"
    (cd build && with_display ctest --output-on-failure -j "$jobs" --timeout 600)
    echo "== AddressSanitizer + UndefinedBehaviorSanitizer suite"
    # Built portable (baseline x86-64, SSE2): the Release suite above tests this machine's SIMD
    # paths (AVX2/AVX-512), this one the 4-lane paths every x86-64 machine has.
    build build-asan -DUNROLLED_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUNROLLED_BENCH=OFF \
      -DUNROLLED_NATIVE=OFF
    # The engine and the command line with leak detection; the GUI tests without it, because
    # Mesa's GL drivers leak in code they unload before the report (ASan's memory checks and
    # UBSan stay on for them).
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       ctest --output-on-failure -j "$jobs" --timeout 900 -LE gui)
    (cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       with_display ctest --output-on-failure --timeout 900 -L gui -E LayoutReport)
    ;;
  bench)
    install_packages
    build build
    build/bench/unrolled_bench "$@"
    ;;
  *)
    echo "setup.sh: unknown command '$cmd'; allowed: deps, run, test, bench" >&2
    exit 2
    ;;
esac
