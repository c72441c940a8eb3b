#!/usr/bin/env bash
# Builds the libFuzzer harness for YAMLLoader (Fuzz/LoaderFuzz.swift) with AddressSanitizer and runs it.
#
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]     (default 60 seconds)
#
# How it builds: FlowSyntax says `import FlowDiagnostics` and `private import CYAML`, so the two source sets
# cannot be compiled as one module. Each is compiled as its own module into a static library, in dependency
# order (FlowDiagnostics, then FlowSyntax against FlowDiagnostics' .swiftmodule and the CYAML module map in
# Sources/CYAML), and the harness is linked against both and libyaml. All three are built with
# `-sanitize=fuzzer,address`: libFuzzer's coverage and ASan's checks then reach into the loader itself, and
# the final link brings in libFuzzer's main.
#
# Work files go to .build-fuzz/ (git-ignored): the corpus grows in .build-fuzz/corpus (seeded from Flows/
# and a few hand-written edge cases), crashes are written to .build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true

if [ -d /opt/swift/usr/bin ] && ! command -v swiftc >/dev/null 2>&1; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

out=.build-fuzz
mkdir -p "$out/modules" "$out/corpus" "$out/artifacts"
flags=(-parse-as-library -swift-version 6 -sanitize=fuzzer,address -g -O -I "$out/modules" -I Sources/CYAML)

echo "building FlowDiagnostics"
swiftc "${flags[@]}" -module-name FlowDiagnostics -emit-module \
    -emit-module-path "$out/modules/FlowDiagnostics.swiftmodule" \
    -emit-library -static -o "$out/modules/libFlowDiagnostics.a" Sources/FlowDiagnostics/*.swift

echo "building FlowSyntax"
swiftc "${flags[@]}" -module-name FlowSyntax -emit-module \
    -emit-module-path "$out/modules/FlowSyntax.swiftmodule" \
    -emit-library -static -o "$out/modules/libFlowSyntax.a" Sources/FlowSyntax/*.swift

echo "building the harness"
swiftc "${flags[@]}" -module-name LoaderFuzz Fuzz/LoaderFuzz.swift \
    -L "$out/modules" -lFlowSyntax -lFlowDiagnostics -lyaml -o "$out/loader-fuzz"

# Seeds: the sample flows and small files that reach the loader's special cases.
cp Flows/*.yaml "$out/corpus/" 2>/dev/null || true
printf '\xef\xbb\xbfa: 1\r\nb: [x, {c: d}]\r\n' >"$out/corpus/seed-bom-crlf"
printf 'a: |\n  lit\n\nb: >-\n  fold\n# c\nc: "q\xe2\x80\xa8r"\n' >"$out/corpus/seed-block"
printf -- '- &a x\n- *a\n- !!str y\n- ? [k]\n  : v\n' >"$out/corpus/seed-anchor"
printf 'a: 1\na: 2\n---\nb: 3\n' >"$out/corpus/seed-dup-docs"
printf '\xc3\xa1 \xc3\xb1: {x: [1, 2], y: si}\n' >"$out/corpus/seed-utf8"
# A leading NUL switches the harness to "one byte, one YAML piece" (see LoaderFuzz.swift).
printf '\000\001\022\014\010\022\024\015\011\022\025' >"$out/corpus/seed-pieces"

echo "fuzzing for $seconds seconds"
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
exec "$out/loader-fuzz" "$out/corpus" -dict=Fuzz/yaml.dict -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$@"
