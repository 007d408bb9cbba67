#!/usr/bin/env bash
# Unrolled's one script: installs what a build needs, builds, runs, tests.
#
#   ./setup.sh            install the Debian 12 packages that are missing (quiet when none are)
#   ./setup.sh run [ARGS] install, build, and open the app (ARGS go to `unrolled`)
#   ./setup.sh test       install, build, and run every test: the Release suite (GUI tests under
#                         Xvfb when there is no display), the suite again under
#                         AddressSanitizer + UndefinedBehaviorSanitizer, and every reader's fuzzer
#                         for 30 s. Prints each phase's time.
#   ./setup.sh fuzz [S]   every reader's libFuzzer harness (clang, ASan + UBSan), S seconds each
#                         (a longer run: ./setup.sh fuzz 3600)
#   ./setup.sh tsan       the threaded code's tests under ThreadSanitizer alone
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

# phase NAME COMMAND...: runs a step of the test command and prints how long it took.
# The sanitizer builds keep line tables only (-g1): 40 % less compile time than RelWithDebInfo's
# -O2 -g (the heaviest test file: 16.3 s against 26.6 s), and the reports still name file and
# line. (-O1 compiles faster still, but the course's sweep tour then outlasts its timeout.)
sanitizer_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                 "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

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

release_suite() { (cd build && with_display ctest --output-on-failure -j "$jobs" --timeout 600); }

# The engine and the command line with leak detection; the GUI tests without it, because Mesa's
# GL drivers leak in code they unload before the report (ASan's memory checks and UBSan stay on
# for them).
asan_suite() {
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j "$jobs" --timeout 900 -LE gui)
  (cd build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     with_display ctest --output-on-failure --timeout 900 -L gui -E LayoutReport)
}

tsan_build() {
  build build-tsan -DUNROLLED_TSAN=ON "${sanitizer_flags[@]}" -DUNROLLED_BENCH=OFF \
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
    phase "Release build" build build
    phase "Release suite" release_suite
    # Built portable (baseline x86-64, SSE2): the Release suite above tests this machine's SIMD
    # paths (AVX2/AVX-512), this one the 4-lane paths every x86-64 machine has.
    phase "ASan + UBSan build" \
      build build-asan -DUNROLLED_SANITIZE=ON "${sanitizer_flags[@]}" \
      -DUNROLLED_BENCH=OFF -DUNROLLED_NATIVE=OFF
    phase "ASan + UBSan suite" asan_suite
    # Every reader's libFuzzer harness, 30 s each, two at a time (fuzz/run.sh builds them with
    # clang in build-fuzz/: the engine without the app, the readers with coverage feedback).
    phase "Fuzzing: build, then every reader 30 s" fuzz/run.sh 30
    # ThreadSanitizer is ./setup.sh tsan: its build and suite (about 15 minutes here) would take
    # this command past its 30.
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
    phase "ThreadSanitizer build" tsan_build
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
