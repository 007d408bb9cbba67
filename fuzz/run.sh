#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer under ASan + UBSan.
#
#   fuzz/run.sh [SECONDS [NAME...]]   build the harnesses with clang in build-fuzz/, then run each
#                                     (default: all of json experiment model batch text) for
#                                     SECONDS (default 30) from its committed corpus
#
# New inputs the fuzzer finds go to build-fuzz/corpus/NAME (the committed corpus/NAME is only
# read); a crash, leak, sanitizer report or an input slower than 10 s stops that harness, leaves
# the input in build-fuzz/artifacts/ and makes the script fail. A longer run: fuzz/run.sh 3600.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
[ $# -gt 0 ] && shift
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(json experiment model batch text)

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    >/dev/null 2>&1; then
  echo "fuzz/run.sh: needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
mkdir -p build-fuzz
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUNROLLED_FUZZ=ON \
  -DUNROLLED_GUI=OFF -DUNROLLED_TESTS=OFF -DUNROLLED_BENCH=OFF -DUNROLLED_NATIVE=OFF \
  >build-fuzz/configure.log 2>&1 || { cat build-fuzz/configure.log >&2; exit 1; }
targets=()
for n in "${names[@]}"; do targets+=("fuzz_$n"); done
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >/dev/null

mkdir -p build-fuzz/artifacts
status=0
for n in "${names[@]}"; do
  mkdir -p "build-fuzz/corpus/$n"
  echo "== fuzz_$n for ${seconds} s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "build-fuzz/fuzz/fuzz_$n" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/${n}-" \
       "build-fuzz/corpus/$n" "fuzz/corpus/$n" 2>"build-fuzz/fuzz_$n.log"; then
    tail -40 "build-fuzz/fuzz_$n.log" >&2
    echo "fuzz_$n failed: the input is in build-fuzz/artifacts/" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units" "build-fuzz/fuzz_$n.log" || true
  fi
done
exit $status
