#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer under ASan + UBSan.
#
#   fuzz/run.sh [SECONDS [NAME...]]   run each harness (default: every fuzz/fuzz_NAME.cpp) for
#                                     SECONDS (default 30) from its committed corpus
#
# The harnesses are built with clang in build-fuzz/, or taken from FUZZ_BUILD_DIR when it is set
# to a build directory configured with -DUNROLLED_FUZZ=ON (setup.sh test uses its sanitizer build,
# build-asan/). New inputs the fuzzer finds go to BUILD/fuzz-corpus/NAME (the committed
# fuzz/corpus/NAME is only read); a crash, leak, sanitizer report or an input slower than 10 s
# stops that harness, leaves the input in BUILD/fuzz-artifacts/ and makes the script fail.
# A longer run: fuzz/run.sh 3600 (an hour per harness).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
[ $# -gt 0 ] && shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do n=${f#fuzz/fuzz_}; names+=("${n%.cpp}"); done
fi
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done

dir=${FUZZ_BUILD_DIR:-}
if [ -z "$dir" ]; then
  if ! command -v clang++ >/dev/null ||
     ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "fuzz/run.sh: needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2
    exit 2
  fi
  dir=build-fuzz
  mkdir -p "$dir"
  CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUNROLLED_FUZZ=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
    -DUNROLLED_GUI=OFF -DUNROLLED_TESTS=OFF -DUNROLLED_BENCH=OFF -DUNROLLED_NATIVE=OFF \
    >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log" >&2; exit 1; }
fi
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >"$dir/fuzz-build.log" \
  || { tail -40 "$dir/fuzz-build.log" >&2; exit 1; }

mkdir -p "$dir/fuzz-artifacts"

# fuzz_one NAME: runs one harness; prints one line; non-zero on a finding.
fuzz_one() {
  local n=$1 log="$dir/fuzz_$1.log"
  mkdir -p "$dir/fuzz-corpus/$n"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$dir/fuzz/fuzz_$n" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/${n}-" \
       "$dir/fuzz-corpus/$n" "fuzz/corpus/$n" 2>"$log"; then
    tail -40 "$log" >&2
    echo "fuzz_$n failed: the input is in $dir/fuzz-artifacts/" >&2
    return 1
  fi
  local runs
  runs=$(grep -Eo "stat::number_of_executed_units: *[0-9]+" "$log" | grep -Eo "[0-9]+$" || echo "?")
  echo "fuzz_$n: $runs executions in ${seconds} s, no crash, leak or timeout"
}

# One harness per core at a time (each is single-threaded).
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
status=0
pids=()
for n in "${names[@]}"; do
  fuzz_one "$n" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
