#!/usr/bin/env bash
# Installs the Debian 12 packages birthright needs, only those missing (apt-get update
# runs only when something is missing). Run as root, or as a user with sudo.
#
# Usage: bash tools/install_deps.sh [build|all]
#   build  compiler, CMake, ccache and the libraries: enough for the CMake build
#   all    also Bazel (bazel-bootstrap 4.2.3) and clang for sanitizers/fuzzing (default)
set -euo pipefail

group="${1:-all}"

BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  python3 python3-dev python3-pytest python3-venv python3-openpyxl python3-pandas
  libabsl-dev libre2-dev libgtest-dev libgmock-dev libbenchmark-dev
  libflatbuffers-dev flatbuffers-compiler pybind11-dev
)
EXTRA_PACKAGES=(bazel-bootstrap clang libclang-rt-14-dev)

case "$group" in
  build) packages=("${BUILD_PACKAGES[@]}") ;;
  all) packages=("${BUILD_PACKAGES[@]}" "${EXTRA_PACKAGES[@]}") ;;
  *) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then sudo=(sudo); fi
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
