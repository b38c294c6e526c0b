#!/usr/bin/env bash
# Runs README.md's "A short tour" exactly as written, in a new temporary folder, with a built
# codifica first on the PATH: the tour's commands are the indented lines of that section, so the
# page and this check cannot drift apart. Then runs every other indented `codifica …` line of
# README.md (search, codebook, export, sample examples) in the tour's workspace `ws` through
# CODIFICA_WORKSPACE, except `codifica serve` (it never returns) and the bare `codifica demo` (it
# leaves a temporary folder behind; the tour runs `demo --dir`). Fails (non-zero) at the first
# command that fails.
#
#   scripts/readme_tour.sh [BINARY]     # default: target/release/codifica, else target/debug/codifica
#
# `cargo test --test it demo_data::readme` runs it with the test build's binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-}"
if [[ -z "$bin" ]]; then
  for b in "$root/target/release/codifica" "$root/target/debug/codifica"; do
    if [[ -x "$b" ]]; then bin="$b"; break; fi
  done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "readme_tour: no codifica binary (build one, or pass its path)" >&2
  exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

# The section's indented lines, up to the next heading; a trailing backslash continues a line.
tour="$(awk '/^## A short tour/{on=1; next} on && /^#/{exit} on && /^    /{print substr($0, 5)}' "$root/README.md")"
# The page's other indented `codifica` lines, outside the tour.
others="$(awk '/^## A short tour/{on=1; next} on && /^#/{on=0} !on && /^    codifica /{print substr($0, 5)}' "$root/README.md" \
  | grep -v -e '^codifica serve' -e '^codifica demo *$' || true)"
if [[ -z "$tour" ]]; then
  echo "readme_tour: no indented commands under '## A short tour' in README.md" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/codifica-tour-XXXXXX")"
trap 'rm -rf "$work"' EXIT
shim="$work/.bin"
mkdir -p "$shim"
ln -s "$bin" "$shim/codifica"
cd "$work"
export PATH="$shim:$PATH"
unset CODIFICA_WORKSPACE
# Each command is echoed before it runs (as the demo does); its output goes to a log shown on failure.
n=0
run_all() { # $1: the commands, one a line; $2: what they are, for messages
  while IFS= read -r cmd; do
    [[ -z "$cmd" ]] && continue
    n=$((n + 1))
    echo "\$ $cmd"
    if ! bash -euo pipefail -c "$cmd" >"$work/.out" 2>&1; then
      cat "$work/.out" >&2
      echo "readme_tour: README.md's $2 failed: $cmd" >&2
      exit 1
    fi
  done < <(printf '%s\n' "$1" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta')
}
run_all "$tour" "tour"
CODIFICA_WORKSPACE="$work/ws" run_all "$others" "command (run in the tour's workspace)"
echo "readme_tour: all $n commands of README.md ran"
