#!/usr/bin/env bash
# Source hygiene that CI enforces: no trailing spaces, no CRLF, a final newline, and the layer
# rules of STYLE.md (each lib/X includes only lower tiers; third-party headers only in their adapter).
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
files=$(git ls-files '*.cc' '*.h' '*.txt' '*.cmake' '*.md' '*.sh' '*.json' '*.bash' '*.fish' | grep -v '^tests/fuzz/corpus/' || true)
for f in $files; do
  [ -f "$f" ] || continue
  if grep -nE '[[:space:]]+$' "$f" >/dev/null; then
    echo "$f:$(grep -nE '[[:space:]]+$' "$f" | head -1 | cut -d: -f1): trailing whitespace"; fail=1
  fi
  if grep -q $'\r' "$f"; then echo "$f: CRLF line ending"; fail=1; fi
  if [ -s "$f" ] && [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" != '\n' ]; then
    echo "$f: no newline at end of file"; fail=1
  fi
done

# Layer check: tier of each library (STYLE.md §2).
declare -A tier=([common]=0 [meta]=1 [wal]=1 [storage]=1 [expr]=1 [rpc]=1 [segment]=2 [index]=2
                 [proxy]=3 [coord]=3 [streaming]=3 [query]=3 [data]=3)
for dir in lib/*/; do
  lib=$(basename "$dir")
  mine=${tier[$lib]:-}
  if [ -z "$mine" ]; then echo "lib/$lib: not in the layer table of scripts/lint.sh"; fail=1; continue; fi
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(echo "$line" | sed -E 's/.*#include "([a-z_]+)\/.*/\1/')
    other=${tier[$inc]:-}
    [ -z "$other" ] && continue
    if [ "$inc" != "$lib" ] && { [ "$other" -ge "$mine" ]; }; then
      echo "$file: lib/$lib (tier $mine) must not include $inc/ (tier $other)"; fail=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$dir" || true)
done
check_adapter() {  # header, allowed path regex
  local hits
  hits=$(git grep -lE "#include [<\"]$1" -- lib daemon cmd | grep -vE "$2" || true)
  if [ -n "$hits" ]; then echo "$1 included outside its adapter: $hits"; fail=1; fi
}
check_adapter 'sqlite3\.h' '^lib/meta/.*\.cc$'
check_adapter 'httplib\.h' '^lib/rpc/.*\.cc$'
check_adapter 'uv\.h' '^daemon/'
check_adapter 'zstd\.h' '^lib/common/compression\.cc$'
check_adapter 'faiss/' '^lib/index/.*\.cc$'
check_adapter 'CLI/' '^(daemon|cmd/vdbctl)/main\.cc$'
# Formatting: every C++ source as .clang-format says (clang-format 14, Debian 12's).
if command -v clang-format >/dev/null; then
  unformatted=$(git ls-files '*.cc' '*.h' | grep -v '^tests/fuzz/corpus/' |
                xargs clang-format --dry-run -Werror 2>&1 | grep -oE '^[^:]+\.(cc|h)' | sort -u || true)
  for f in $unformatted; do echo "$f: not clang-formatted (run clang-format -i $f)"; fail=1; done
else
  echo "clang-format not found: formatting not checked"
fi
if [ $fail -ne 0 ]; then echo "lint failed"; exit 1; fi
