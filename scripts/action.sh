#!/usr/bin/env bash
# The GitHub Action's step: get the mirage CLI for this runner, then run, with the action's
# inputs (INPUT_*): `mirage test` when `test` is given, `mirage replay` when `replay-policies` is,
# and `mirage gate-run` when `command` is given or neither of the others is; then, when `console`
# is given, `mirage console --export` of the traces (whatever the gate said, so that a failed
# build has its console; the action's next step uploads it). The step exits with the worst exit
# code of the commands it ran. The CLI is, first found:
#   1. MIRAGE_CLI, a command string (for tests and custom builds);
#   2. the release binary for RUNNER_OS/RUNNER_ARCH, checked against its .sha256;
#   3. the CLI from the action's own checkout (GITHUB_ACTION_PATH), run with Deno.
set -euo pipefail

DENO_VERSION=2.9.6
ACTION_DIR="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

log() {
  echo "[mirage-action] $*" >&2
}

# The release target of this runner, as the release workflow names its assets.
target_triple() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=unknown-linux-gnu ;;
    macOS | Darwin) os=apple-darwin ;;
    Windows | MINGW* | MSYS*) os=pc-windows-msvc ;;
    *) return 1 ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=x86_64 ;;
    ARM64 | arm64 | aarch64) arch=aarch64 ;;
    *) return 1 ;;
  esac
  if [ "$os" = pc-windows-msvc ] && [ "$arch" != x86_64 ]; then return 1; fi
  echo "${arch}-${os}"
}

sha256_check() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum --check --status "$1"
  else
    shasum -a 256 --check --status "$1"
  fi
}

# Downloads the release binary and its checksum; prints the binary's path, or fails.
download_binary() {
  local repo="${MIRAGE_ACTION_REPOSITORY:-}" version="${INPUT_VERSION:-}" target asset dir base
  [ -n "$repo" ] || return 1
  command -v curl >/dev/null 2>&1 || return 1
  target=$(target_triple) || return 1
  asset="mirage-${target}"
  if [[ "$target" == *windows* ]]; then asset="${asset}.exe"; fi
  if [ -n "$version" ]; then
    base="https://github.com/${repo}/releases/download/${version}"
  else
    base="https://github.com/${repo}/releases/latest/download"
  fi
  dir="$(mktemp -d "${RUNNER_TEMP:-/tmp}/mirage.XXXXXX")"
  curl -fsSL --retry 3 -o "${dir}/${asset}" "${base}/${asset}" || return 1
  curl -fsSL --retry 3 -o "${dir}/${asset}.sha256" "${base}/${asset}.sha256" || return 1
  (cd "$dir" && sha256_check "${asset}.sha256") || {
    log "checksum mismatch for ${base}/${asset}"
    return 1
  }
  chmod +x "${dir}/${asset}"
  echo "${dir}/${asset}"
}

# Sets the global array CLI to the command that runs mirage.
resolve_cli() {
  local binary
  if [ -n "${MIRAGE_CLI:-}" ]; then
    read -r -a CLI <<<"$MIRAGE_CLI"
    log "using MIRAGE_CLI: ${MIRAGE_CLI}"
  elif binary=$(download_binary); then
    CLI=("$binary")
    log "using the release binary ${INPUT_VERSION:-latest} ($(target_triple))"
  else
    local deno=(deno)
    command -v deno >/dev/null 2>&1 || deno=(npx --yes "deno@${DENO_VERSION}")
    CLI=("${deno[@]}" run --allow-read --allow-write --allow-net --allow-env --allow-run
      --config "${ACTION_DIR}/deno.json" "${ACTION_DIR}/src/cli/main.ts")
    log "no release binary for ${INPUT_VERSION:-latest}; running the CLI from ${ACTION_DIR} with Deno"
  fi
}

gate_args() {
  ARGS=(gate-run --traces "${INPUT_TRACES:-artifacts/traces}")
  if [ -n "${INPUT_FAIL_ON:-}" ]; then ARGS+=(--fail-on "$INPUT_FAIL_ON"); fi
  if [ -n "${INPUT_MOCKS:-}" ]; then ARGS+=(--mocks "$INPUT_MOCKS"); fi
  if [ -n "${INPUT_POLICIES:-}" ]; then ARGS+=(--policies "$INPUT_POLICIES"); fi
  if [ -n "${INPUT_JUNIT:-}" ]; then ARGS+=(--junit "$INPUT_JUNIT"); fi
  if [ -n "${INPUT_COMMAND:-}" ]; then ARGS+=(-- bash -c "$INPUT_COMMAND"); fi
}

test_args() {
  local paths
  read -r -a paths <<<"$INPUT_TEST"
  ARGS=(test "${paths[@]}")
}

replay_args() {
  ARGS=(replay --traces "${INPUT_REPLAY_TRACES:-${INPUT_TRACES:-artifacts/traces}}"
    --policies "$INPUT_REPLAY_POLICIES")
  if [ -n "${INPUT_REPLAY_MOCKS:-}" ]; then ARGS+=(--mocks "$INPUT_REPLAY_MOCKS"); fi
  if [ -n "${INPUT_REPLAY_MODE:-}" ]; then ARGS+=(--mode "$INPUT_REPLAY_MODE"); fi
  if [ "${INPUT_REPLAY_FAIL_ON_CHANGE:-false}" = true ]; then ARGS+=(--fail-on-change); fi
}

console_args() {
  ARGS=(console --traces "${INPUT_TRACES:-artifacts/traces}" --export "$INPUT_CONSOLE")
  if [ -n "${INPUT_POLICIES:-}" ]; then ARGS+=(--policies "$INPUT_POLICIES"); fi
}

STATUS=0

# Runs the CLI with ARGS, keeping the worst exit code in STATUS.
run_cli() {
  local code=0
  "${CLI[@]}" "${ARGS[@]}" || code=$?
  if [ "$code" -gt "$STATUS" ]; then STATUS=$code; fi
}

CLI=()
ARGS=()
resolve_cli
if [ -n "${INPUT_TEST:-}" ]; then
  test_args
  run_cli
fi
if [ -n "${INPUT_REPLAY_POLICIES:-}" ]; then
  replay_args
  run_cli
fi
if [ -n "${INPUT_COMMAND:-}" ] || { [ -z "${INPUT_TEST:-}" ] && [ -z "${INPUT_REPLAY_POLICIES:-}" ]; }; then
  gate_args
  run_cli
fi
if [ -n "${INPUT_CONSOLE:-}" ]; then
  console_args
  run_cli
fi
exit "$STATUS"
