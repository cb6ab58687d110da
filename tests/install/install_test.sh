#!/usr/bin/env bash
# Installs a birthright build tree into a temporary prefix, then builds
# tests/install/consumer.c against the installed tree only: with CMake
# (find_package(birthright), shared and static) and with pkg-config, and
# checks that every build prints the expected decision.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR [C_COMPILER]
set -euo pipefail
build="$1"
src="$2"
cc="${3:-cc}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
for f in include/birthright/birthright.h lib/libbirthright.a lib/libbirthright_core.a \
         lib/cmake/birthright/birthrightConfig.cmake lib/pkgconfig/birthright.pc; do
  [[ -e "$prefix/$f" ]] || { echo "install_test: $f not installed" >&2; exit 1; }
done
ls "$prefix"/lib/libbirthright.so.* >/dev/null

want='{"person":"E042","entitlements":[{"app":"GitHub","instance":"","level":"Write","scopes":["platform"],"expires":null,"reasons":["R1"]},{"app":"Slack","instance":"corp","level":"Member","scopes":[],"expires":null,"reasons":["R2"]}],"missing":[]}'
check() {
  local name="$1" got
  got="$("${@:2}" 2>/dev/null)"
  if [[ "$got" != "$want" ]]; then
    echo "install_test: $name printed:" >&2
    echo "$got" >&2
    exit 1
  fi
  echo "install_test: $name OK"
}

# 1. CMake: find_package(birthright) against the install tree only.
cmake -S "$src/tests/install" -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >"$tmp/configure.log" \
  || { cat "$tmp/configure.log" >&2; exit 1; }
cmake --build "$tmp/consumer" >"$tmp/build.log" || { cat "$tmp/build.log" >&2; exit 1; }
check "cmake shared" "$tmp/consumer/consumer"
check "cmake static" "$tmp/consumer/consumer_static"

# 2. pkg-config, as a Makefile would do it.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
"$cc" -std=c11 -Wall -Werror -o "$tmp/consumer_pc" "$src/tests/install/consumer.c" \
  $(pkg-config --cflags --libs birthright) -Wl,-rpath,"$prefix/lib"
check "pkg-config" "$tmp/consumer_pc"
# 3. docs/c-api.md shows this very program.
if ! diff <(awk '/^```c$/ {on=1; next} /^```$/ {on=0} on' "$src/docs/c-api.md") \
          "$src/tests/install/consumer.c" >"$tmp/doc.diff"; then
  echo "install_test: the example in docs/c-api.md differs from tests/install/consumer.c:" >&2
  cat "$tmp/doc.diff" >&2
  exit 1
fi
echo "install_test: docs/c-api.md example OK"
echo "install_test: OK"
