#!/usr/bin/env bash
# Builds the libFuzzer targets with the address sanitizer and runs each for a while.
#
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]     default: 60 s each, all targets
#
# Targets: FuzzAggregateXML FuzzTLSJSON FuzzMailMessage FuzzReportLoader.
# Seeds come from the synthetic generator (`sitegen generate`, plain and --hostile), plus the
# files of ../shared/corpus when that folder exists. Everything is written below .build-fuzz/
# (git-ignored): the fuzz build, seeds/, corpus/ (inputs the fuzzer found interesting, kept
# between runs) and findings/ (crash-*, timeout-*, oom-* inputs). Exits 1 when a target failed.
# A finding is replayed without the fuzzer by the plain build of the same target:
#   swift run FuzzAggregateXML .build-fuzz/findings/FuzzAggregateXML/crash-…
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzAggregateXML FuzzTLSJSON FuzzMailMessage FuzzReportLoader)

scratch=.build-fuzz
work=$scratch/work
max_len=65536
rss_limit_mb=2048

echo "== building ${targets[*]} with -sanitize=fuzzer,address (scratch $scratch)"
for target in "${targets[@]}"; do
    swift build -c release --scratch-path "$scratch" --product "$target" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
done
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)

echo "== writing seeds"
# SITEGEN_TRAITS (set by Tests/run.sh): the traits `swift test` built with, so this reuses that build.
swift build ${SITEGEN_TRAITS:+--traits "$SITEGEN_TRAITS"} --product sitegen
sitegen=$(swift build ${SITEGEN_TRAITS:+--traits "$SITEGEN_TRAITS"} --show-bin-path)/sitegen
rm -rf "$work/seeds"
mkdir -p "$work/generated"
[ -d "$work/generated/plain" ] || "$sitegen" generate --out "$work/generated/plain" >/dev/null
rm -rf "$work/generated/hostile"
"$sitegen" generate --hostile --out "$work/generated/hostile" >/dev/null

# Every 7th generated file is plenty: they share their structure. The compression bombs are
# left out: each run of one inflates 64 MiB, which would starve the fuzzer (the Swift tests
# cover them).
sources=("$work/generated/plain@7" "$work/generated/hostile")
[ -d ../shared/corpus ] && sources+=(../shared/corpus)
python3 Tests/Fuzz/seeds.py "$work/seeds" $((4 * max_len)) "${sources[@]}"

seeds_for() {
    case $1 in
        FuzzAggregateXML) echo "$work/seeds/xml" ;;
        FuzzTLSJSON) echo "$work/seeds/json" ;;
        FuzzMailMessage) echo "$work/seeds/mail" ;;
        *) echo "$work/seeds/any" ;;
    esac
}

export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
status=0
summary=()
for target in "${targets[@]}"; do
    corpus=$work/corpus/$target
    findings=$work/findings/$target
    log=$work/logs/$target.log
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    echo "== fuzzing $target for $seconds s (log $log)"
    set +e
    "$bin/$target" "$corpus" "$(seeds_for "$target")" \
        -max_total_time="$seconds" -rss_limit_mb=$rss_limit_mb -malloc_limit_mb=$rss_limit_mb \
        -max_len=$max_len -timeout=25 -seed="${SITEGEN_FUZZ_SEED:-1}" -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$findings/" >"$log" 2>&1
    code=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    if [ $code -eq 0 ]; then
        summary+=("$target: ok, $runs executions in $seconds s, corpus $(ls "$corpus" | wc -l) inputs")
    else
        status=1
        summary+=("$target: FAILED (exit $code) after $runs executions; inputs in $findings")
        grep -E 'ERROR|SUMMARY|Test unit written|Fatal error|deadly signal' "$log" | head -20 || true
    fi
done
echo "== fuzz summary"
printf '   %s\n' "${summary[@]}"
exit $status
