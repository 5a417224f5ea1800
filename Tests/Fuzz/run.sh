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
swift build --product sitegen
sitegen=$(swift build --show-bin-path)/sitegen
rm -rf "$work/seeds"
mkdir -p "$work/seeds"/{xml,json,mail,any} "$work/generated"
[ -d "$work/generated/plain" ] || "$sitegen" generate --out "$work/generated/plain" >/dev/null
rm -rf "$work/generated/hostile"
"$sitegen" generate --hostile --out "$work/generated/hostile" >/dev/null

# Sorts a file into the seed folders by its content (the loader target takes everything small).
add_seed() {
    local file=$1 size name
    size=$(stat -c %s "$file")
    [ "$size" -le $((4 * max_len)) ] || return 0
    name=$(sha256sum "$file" | cut -c1-16)
    cp "$file" "$work/seeds/any/$name"
    case "$(head -c 512 "$file" | tr -d '\000' | tr -s ' \t\r\n' ' ' | sed 's/^ //' | head -c 1)" in
        "<") cp "$file" "$work/seeds/xml/$name" ;;
        "{") cp "$file" "$work/seeds/json/$name" ;;
    esac
    if head -c 2048 "$file" | grep -aqi '^content-type:'; then cp "$file" "$work/seeds/mail/$name"; fi
    if [ "$(head -c 2 "$file" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
        gzip -dc "$file" 2>/dev/null | head -c $((4 * max_len)) > "$work/seeds/tmp" || true
        [ -s "$work/seeds/tmp" ] && add_seed "$work/seeds/tmp"
        rm -f "$work/seeds/tmp"
    fi
    return 0
}
# Every 7th generated file is plenty: they share their structure.
# File names may hold line breaks (the hostile corpus has some), hence -print0.
find "$work/generated/plain" -type f -print0 | sort -z | awk 'BEGIN { RS = ORS = "\0" } NR % 7 == 1' |
    while IFS= read -r -d '' file; do add_seed "$file"; done
# The compression bombs are left out: each run of one inflates 64 MiB, which would starve the
# fuzzer (the Swift tests cover them).
find "$work/generated/hostile" -type f -size -$((4 * max_len))c -not -path '*/bombs/*' -print0 | sort -z |
    while IFS= read -r -d '' file; do add_seed "$file"; done
if [ -d ../shared/corpus ]; then
    find ../shared/corpus -type f -size -$((4 * max_len))c -print0 | sort -z |
        while IFS= read -r -d '' file; do add_seed "$file"; done
fi
for kind in xml json mail any; do echo "   $kind: $(ls "$work/seeds/$kind" | wc -l) seeds"; done

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
