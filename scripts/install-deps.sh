#!/usr/bin/env bash
# Install what libpottery needs to build, test and run its tour on Debian/Ubuntu.
# Idempotent: checks with dpkg-query first and touches apt only for missing packages.
set -euo pipefail

PACKAGES=(
  cmake gcc g++ make pkg-config
  libhiredis-dev libxxhash-dev libcmocka-dev libcjson-dev libevent-dev libuv1-dev locales
  redis-server
  clang-format clang-tidy cppcheck doxygen gcovr
  clang libclang-rt-14-dev
  valgrind
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: dpkg-query not found; this script supports Debian/Ubuntu only." >&2
  echo "install-deps: install by hand: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing missing packages: ${missing[*]}" >&2

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: need root to install ${missing[*]}, and sudo is not available." >&2
  echo "install-deps: run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
