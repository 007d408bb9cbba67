#!/usr/bin/env bash
# Unrolled's one script: installs what a build needs, builds, runs, tests.
#
#   ./setup.sh            install the Debian 12 packages that are missing (quiet when none are)
#   ./setup.sh run [ARGS] install, build, and open the app (ARGS go to `unrolled`)
#   ./setup.sh test       install, build once under AddressSanitizer + UndefinedBehaviorSanitizer
#                         (clang) and run every test in it (GUI tests under Xvfb when there is no
#                         display), fuzz every reader for 30 s from the same build, then build the
#                         threaded code under ThreadSanitizer and run its tests. Prints each
#                         phase's time.
#   ./setup.sh fuzz [S]   every reader's libFuzzer harness (clang, ASan + UBSan), S seconds each
#                         (a longer run: ./setup.sh fuzz 3600)
#   ./setup.sh tsan       the ThreadSanitizer half of the test command alone
#   ./setup.sh bench      install, build, and run the benchmarks
#
# apt-get runs as root directly, through sudo otherwise. Nothing is downloaded but Debian packages.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev nlohmann-json3-dev libtbb-dev
  googletest libgtest-dev libbenchmark-dev
  libglfw3-dev libimgui-dev libstb-dev libgl-dev libgif-dev libtinyxml2-dev
  fonts-dejavu-core
  xvfb xauth
  clang libclang-rt-14-dev
  libhdf5-dev libzip-dev
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

# build DIR [cmake options...] [--target T...]: configure once, then build incrementally.
build() {
  local dir=$1
  shift
  local options=() targets=()
  while [ $# -gt 0 ] && [ "$1" != --target ]; do options+=("$1"); shift; done
  [ $# -gt 0 ] && shift && targets=(--target "$@")
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "${options[@]}" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    echo "setup: configuring $dir failed" >&2
    exit 1
  fi
  if ! cmake --build "$dir" -j "$jobs" "${targets[@]}" >"$dir/build.log" 2>&1; then
    grep -E -A5 "error|Error" "$dir/build.log" | head -60 >&2
    echo "setup: the build in $dir failed (full log: $dir/build.log)" >&2
    exit 1
  fi
}

# The sanitizer builds compile the engine (core/, import/), where the tests spend their time, at
# -O2 and everything else at -O1, which compiles in about half the time; both keep line tables
# only (-g1), so reports still name file and line.
sanitizer_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                 "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DUNROLLED_ENGINE_FLAGS=-O2
                 -DUNROLLED_BENCH=OFF)

# use_compiler DIR CXX: a build directory configured with another compiler is configured afresh.
use_compiler() {
  local dir=$1 cxx=$2
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -q "^CMAKE_CXX_COMPILER:[A-Z]*=.*/$cxx\$" "$dir/CMakeCache.txt"; then
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
}

phase_times=()
phase() {
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  local TIMEFORMAT="   (%0R s wall; CPU %0U s user + %0S s system)"
  time "$@"
  phase_times+=("$(printf '%5d s  %s' $((SECONDS - start)) "$name")")
  echo "   ($((SECONDS - start)) s)"
}

# One build holds the whole suite and the fuzzers: clang with ASan + UBSan everywhere and
# libFuzzer's coverage instrumentation on the readers only (see the top CMakeLists.txt). Built for
# this machine (-march=native), as ./setup.sh run builds the app; the ThreadSanitizer build below
# is the portable one (baseline x86-64: the 4-lane paths of the products).
sanitizer_build() {
  use_compiler build-asan clang++
  CC=clang CXX=clang++ build build-asan -DUNROLLED_SANITIZE=ON -DUNROLLED_FUZZ=ON "${sanitizer_flags[@]}"
}

# Every test, the app's (labelled gui) one at a time beside the engine's; leak detection for all
# but the app's (tests/CMakeLists.txt says why).
asan_suite() {
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     with_display ctest --output-on-failure -j "$jobs" --timeout 900)
}

tsan_build() {
  use_compiler build-tsan g++
  CC=gcc CXX=g++ build build-tsan -DUNROLLED_TSAN=ON "${sanitizer_flags[@]}" -DUNROLLED_NATIVE=OFF \
    --target unrolled_tsan_tests unrolled_tsan_gui_tests unrolled
}

# LP_NUM_THREADS=0: Mesa's software rasteriser draws on the calling thread, so its own
# (uninstrumented) threads stay out of the report. tsan.supp says what is suppressed and why.
tsan_suite() {
  (cd build-tsan && LP_NUM_THREADS=0 \
     TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/../tests/tsan.supp" \
     with_display ctest --output-on-failure -j "$jobs" --timeout 900)
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
    phase "Sanitizer build (clang, ASan + UBSan: the suite and the fuzzers)" sanitizer_build
    phase "Sanitizer suite" asan_suite
    phase "Fuzzing: every reader 30 s" env FUZZ_BUILD_DIR=build-asan fuzz/run.sh 30
    phase "ThreadSanitizer build (gcc, portable)" tsan_build
    phase "ThreadSanitizer suite" tsan_suite
    echo "== phase times"
    printf '%s\n' "${phase_times[@]}"
    ;;
  fuzz)
    # Every reader's libFuzzer harness under ASan + UBSan (clang), SECONDS each (default 30).
    install_packages
    phase "Fuzzing (builds build-fuzz/ with clang first)" fuzz/run.sh "${1:-30}"
    ;;
  tsan)
    # The threaded code's tests (the worker, the sweep, the pool and the app) under
    # ThreadSanitizer.
    install_packages
    phase "ThreadSanitizer build (gcc, portable)" tsan_build
    phase "ThreadSanitizer suite" tsan_suite
    ;;
  bench)
    install_packages
    build build
    build/bench/unrolled_bench "$@"
    ;;
  *)
    echo "setup.sh: unknown command '$cmd'; allowed: deps, run, test, fuzz, tsan, bench" >&2
    exit 2
    ;;
esac
