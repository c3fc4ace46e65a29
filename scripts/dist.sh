#!/usr/bin/env bash
# Builds every package the project ships into dist/ (DIST_DIR to change it):
#   - Python: the sdist and, built from it, manylinux_2_17 wheels for x86_64
#     and aarch64 (py3-none: one wheel serves every CPython), checked with
#     auditwheel;
#   - Node.js: the main npm package and one package per platform
#     (linux-x64-gnu, linux-x64-musl, linux-arm64-gnu) wired through
#     optionalDependencies, each an `npm pack` tarball;
#   - Kotlin/JVM: the jar with the native library for linux-x86-64 and
#     linux-aarch64 under JNA's resource prefixes, and its pom;
#   - Rust: the core crate as `cargo package` makes it.
# Every native library is built once per target in the `dist` profile
# (Cargo.toml) with zig as the C compiler and linker, so the glibc targets
# need no newer glibc than 2.17; the wheel and the jar share one library per
# target. Debug sections are removed after the build, the symbol table
# UniFFI reads is kept. A check fails the run when an artifact lacks the
# generated bindings, carries debug info, needs a newer glibc, has the wrong
# tags or is over its size budget.
# Installs what it needs: binutils, unzip, Node.js, a JDK and Maven with apt
# when missing, rustup targets, and maturin, ziglang, auditwheel, wheel and
# cargo-zigbuild from PyPI into a venv under the target dir.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
dist="${DIST_DIR:-$root/dist}"
work="$CARGO_TARGET_DIR/dist-work"
profile=dist
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
glibc=2.17
max_bytes=$((5 * 1024 * 1024))

say() { echo "dist: $*"; }
fail() { echo "dist: $*" >&2; exit 1; }
# Runs a build quietly; on failure shows the end of its output.
quiet() { # log-name command...
  local log="$work/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    tail -40 "$log" >&2
    fail "failed: $* (whole output in $log)"
  fi
}
start=$(date +%s)

# --- tools -----------------------------------------------------------------
missing=()
command -v readelf >/dev/null && command -v objdump >/dev/null || missing+=(binutils)
command -v unzip >/dev/null || missing+=(unzip)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v mvn >/dev/null && command -v javac >/dev/null || missing+=(maven openjdk-17-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
tools="$CARGO_TARGET_DIR/dist-venv"
if [ ! -x "$tools/bin/python" ]; then python3 -m venv "$tools"; fi
"$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
  "maturin==1.16.*" "ziglang==0.17.*" "auditwheel==6.8.*" "wheel==0.48.*" "cargo-zigbuild==0.24.*"
# zig on PATH for cargo-zigbuild (maturin finds the ziglang module itself).
ln -sf "$("$tools/bin/python" -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')" "$tools/bin/zig"
export PATH="$tools/bin:$PATH"
rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-musl >/dev/null 2>&1
host=$(rustc -vV | sed -n 's/^host: //p')
sysroot=$(rustc --print sysroot)
[ -x "$sysroot/lib/rustlib/$host/bin/rust-objcopy" ] || fail "no rust-objcopy in $sysroot"
# The toolchain's llvm-objcopy: it reads every ELF machine.
objcopy() {
  LD_LIBRARY_PATH="$sysroot/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$sysroot/lib/rustlib/$host/bin/rust-objcopy" "$@"
}

# --- checks shared by every native library -----------------------------------
no_debug_info() { # file
  local sections; sections=$(readelf -S --wide "$1")
  if grep -q ' \.debug_' <<<"$sections"; then fail "$1 carries debug info"; fi
}
max_glibc() { # file -> highest GLIBC_x.y the file needs
  objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1
}
needs_at_most_glibc() { # file version
  local need; need=$(max_glibc "$1")
  if [ "$(printf '%s\n%s\n' "$need" "$2" | sort -V | tail -1)" != "$2" ]; then
    fail "$1 needs GLIBC_$need, more than $2"
  fi
  echo "$need"
}
at_most_5mb() { # file what
  local size; size=$(stat -c %s "$1")
  [ "$size" -le "$max_bytes" ] || fail "$2 is $size bytes, over 5 MB"
}

# A wheel as users get it: the native library without debug sections, the
# generated module holding the API (the zig strip trap leaves an empty one
# without an error), the manylinux_2_17 tag by auditwheel.
check_wheel() { # wheel arch
  local whl="$1" arch="$2" tree so gen name show
  tree=$(mktemp -d)
  wheel unpack --dest "$tree" "$whl" >/dev/null
  so=$(find "$tree" -name 'libredis_cloud_auth_ffi*.so' | head -1)
  [ -n "$so" ] || fail "$whl has no native library"
  no_debug_info "$so"
  gen=$(find "$tree" -path '*/redis_cloud_auth/_native/*.py' ! -name '__init__.py' | head -1)
  [ -n "$gen" ] || fail "$whl lacks the generated UniFFI module"
  for name in 'class ApiKeys' 'class Verifier' 'def _uniffi_check_api_checksums'; do
    grep -q "$name" "$gen" || fail "$whl: the generated module lacks '$name'"
  done
  rm -rf "$tree"
  show=$(auditwheel show "$whl")
  tr '\n' ' ' <<<"$show" | grep -q "is consistent with the following platform tag: \"manylinux_2_17_$arch\"" \
    || { echo "$show"; fail "auditwheel does not call $whl manylinux_2_17_$arch"; }
}
# `dist.sh --check-wheel WHEEL ARCH` runs that check alone (step 25 shows
# it fails on a wheel with an empty generated module).
if [ "${1:-}" = --check-wheel ]; then
  check_wheel "$2" "$3"
  say "$2: ok"
  exit
fi

rm -rf "$dist" "$work"
mkdir -p "$dist" "$work"

# --- Python: sdist and wheels ------------------------------------------------
say "Python sdist"
(cd python && quiet sdist maturin sdist --out "$dist")
sdist="$dist/redis_cloud_auth-$version.tar.gz"
[ -f "$sdist" ] || fail "no sdist at $sdist"
listing=$(tar tzf "$sdist")
for member in pyproject.toml README.md bindings/ffi/Cargo.toml core/Cargo.toml Cargo.lock \
  bindings/uniffi-bindgen/src/main.rs; do
  grep -qx "redis_cloud_auth-$version/$member" <<<"$listing" || fail "the sdist lacks $member"
done
# The wheels are built from the unpacked sdist, as pip builds it: an sdist
# that lacks something the build needs (the uniffi-bindgen that maturin
# runs, for one) fails here, not on a user's machine.
tar -xzf "$sdist" -C "$work"
sdist_tree="$work/redis_cloud_auth-$version"

declare -A ffi_lib # target triple -> stripped UniFFI library
for arch in x86_64 aarch64; do
  triple="$arch-unknown-linux-gnu"
  say "Python wheel for $triple"
  # The profile keeps symbols: under zig a cargo strip can strip the
  # symbol table too, and UniFFI then generates an empty module.
  (cd "$sdist_tree" && quiet "maturin-$arch" maturin build --profile "$profile" --zig --compatibility "manylinux_${glibc/./_}" \
    --target "$triple" --out "$work/wheels-$arch")
  raw=$(ls "$work/wheels-$arch"/redis_cloud_auth-"$version"-py3-none-*manylinux_2_17_"$arch"*.whl)
  # Remove the debug sections the standard library brings; keep the
  # symbol table.
  rm -rf "$work/unpacked-$arch"
  wheel unpack --dest "$work/unpacked-$arch" "$raw" >/dev/null
  tree="$work/unpacked-$arch/redis_cloud_auth-$version"
  so=$(find "$tree" -name 'libredis_cloud_auth_ffi*.so' | head -1)
  [ -n "$so" ] || fail "the $arch wheel has no native library"
  objcopy --strip-debug "$so"
  wheel pack --dest-dir "$dist" "$tree" >/dev/null
  whl="$dist/$(basename "$raw")"
  [ -f "$whl" ] || fail "wheel pack did not write $whl"
  check_wheel "$whl" "$arch"
  [ "$arch" = x86_64 ] && at_most_5mb "$whl" "the x86_64 wheel"
  ffi_lib[$triple]="$so"
  say "$(basename "$whl"): $(stat -c %s "$whl") bytes, GLIBC_$(needs_at_most_glibc "$so" "$glibc") at most, auditwheel: manylinux_2_17_$arch"
done

# --- Kotlin/JVM: one jar, natives for both Linux CPUs ------------------------
say "Kotlin/JVM jar"
kotlin="$root/bindings/kotlin"
rm -rf "$kotlin/target/native" "$kotlin/target/generated-sources/uniffi"
mkdir -p "$kotlin/target/native/linux-x86-64" "$kotlin/target/native/linux-aarch64"
cp "${ffi_lib[x86_64-unknown-linux-gnu]}" "$kotlin/target/native/linux-x86-64/libredis_cloud_auth_ffi.so"
cp "${ffi_lib[aarch64-unknown-linux-gnu]}" "$kotlin/target/native/linux-aarch64/libredis_cloud_auth_ffi.so"
# The bindgen in the dev profile, the build every other step shares.
cargo run --quiet --bin uniffi-bindgen -- generate --no-format \
  --library "$kotlin/target/native/linux-x86-64/libredis_cloud_auth_ffi.so" \
  --language kotlin --out-dir "$kotlin/target/generated-sources/uniffi"
grep -rqs 'class ApiKeys' "$kotlin/target/generated-sources/uniffi" || fail "no generated Kotlin"
# -DskipTests compiles the tests too; scripts/test.d/40-kotlin.sh runs them
# against the jar.
(cd "$kotlin" && quiet maven mvn -B --no-transfer-progress -Dstyle.color=never -DskipTests package)
jar="$dist/redis-cloud-auth-$version.jar"
cp "$kotlin/target/redis-cloud-auth-$version.jar" "$jar"
cp "$kotlin/pom.xml" "$dist/redis-cloud-auth-$version.pom"
listing=$(unzip -l "$jar")
for entry in linux-x86-64/libredis_cloud_auth_ffi.so linux-aarch64/libredis_cloud_auth_ffi.so io/rediscloudauth/ApiKeys.class \
  META-INF/proguard/redis-cloud-auth.pro; do
  grep -q " $entry\$" <<<"$listing" || fail "the jar lacks $entry"
done
say "$(basename "$jar"): $(stat -c %s "$jar") bytes (linux-x86-64, linux-aarch64)"

# --- Node.js: platform packages and the main package ------------------------
say "npm packages"
node_dir="$root/node"
if [ ! -x "$node_dir/node_modules/.bin/napi" ]; then
  (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
napi="$node_dir/node_modules/.bin/napi"
stage="$work/npm"
mkdir -p "$stage/artifacts"
# The main package as npm would pack it from node/, without any local addon.
tar -C "$node_dir" -cf - package.json README.md $(node -p "require('$node_dir/package.json').files.filter(f => !f.includes('*')).join(' ')") \
  | tar -C "$stage" -xf -
cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/"
declare -A napi_target=(
  [linux-x64-gnu]="x86_64-unknown-linux-gnu.$glibc"
  [linux-arm64-gnu]="aarch64-unknown-linux-gnu.$glibc"
  [linux-x64-musl]="x86_64-unknown-linux-musl"
)
# (napi build links the musl addon to the C library dynamically, as Node is.)
for platform in linux-x64-gnu linux-arm64-gnu linux-x64-musl; do
  say "addon for $platform (${napi_target[$platform]})"
  (cd "$node_dir" && quiet "napi-$platform" "$napi" build --platform --profile "$profile" -x \
    --target "${napi_target[$platform]}" --output-dir "$stage/artifacts" --no-js --dts "$work/ignored.d.ts")
  addon="$stage/artifacts/redis-cloud-auth.$platform.node"
  [ -f "$addon" ] || fail "napi build wrote no $addon"
  # An addon needs only its dynamic symbols.
  objcopy --strip-all "$addon"
  no_debug_info "$addon"
done
# glibc: the x64 addon needs no newer glibc than the x86_64 wheel.
wheel_glibc=$(max_glibc "${ffi_lib[x86_64-unknown-linux-gnu]}")
addon_glibc=$(needs_at_most_glibc "$stage/artifacts/redis-cloud-auth.linux-x64-gnu.node" "$wheel_glibc")
needs_at_most_glibc "$stage/artifacts/redis-cloud-auth.linux-arm64-gnu.node" "$glibc" >/dev/null
dynamic=$(readelf -d "$stage/artifacts/redis-cloud-auth.linux-x64-musl.node")
grep -q 'libc.musl\|ld-musl\|libc.so' <<<"$dynamic" || fail "the musl addon links no C library"
file_arch() { readelf -h "$1" | sed -n 's/^ *Machine: *//p'; }
[ "$(file_arch "$stage/artifacts/redis-cloud-auth.linux-arm64-gnu.node")" = "AArch64" ] || fail "the arm64 addon is not AArch64"
# npm/<platform>/ with os, cpu and libc, then the addons into them.
node - "$stage/package.json" <<'JS'
// Only the platforms built here, so that the packages and the
// optionalDependencies below match.
const fs = require('fs')
const path = process.argv[2]
const pkg = JSON.parse(fs.readFileSync(path, 'utf8'))
pkg.napi.targets = ['x86_64-unknown-linux-gnu', 'aarch64-unknown-linux-gnu', 'x86_64-unknown-linux-musl']
fs.writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n')
JS
(cd "$stage" && "$napi" create-npm-dirs --npm-dir npm >/dev/null && "$napi" artifacts --output-dir artifacts --npm-dir npm >/dev/null)
for platform in linux-x64-gnu linux-arm64-gnu linux-x64-musl; do
  cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/npm/$platform/"
  tgz=$(cd "$stage/npm/$platform" && npm pack --silent --pack-destination "$dist")
  at_most_5mb "$dist/$tgz" "$tgz"
  say "$tgz: $(stat -c %s "$dist/$tgz") bytes"
done
# The main package names every platform package, as `napi pre-publish` does.
node - "$stage/package.json" "$version" <<'JS'
const fs = require('fs')
const [path, version] = process.argv.slice(2)
const pkg = JSON.parse(fs.readFileSync(path, 'utf8'))
delete pkg.scripts.prepare
pkg.files = pkg.files.filter((f) => f !== '*.node').concat(['LICENSE-MIT', 'LICENSE-APACHE'])
pkg.optionalDependencies = Object.fromEntries(
  ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl'].map((p) => [`${pkg.name}-${p}`, version]),
)
fs.writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n')
JS
main_tgz=$(cd "$stage" && npm pack --silent --pack-destination "$dist")
listing=$(tar tzf "$dist/$main_tgz")
if grep -q '\.node$' <<<"$listing"; then fail "$main_tgz carries an addon"; fi
say "$main_tgz: $(stat -c %s "$dist/$main_tgz") bytes; linux-x64-gnu needs GLIBC_$addon_glibc at most (the wheel: GLIBC_$wheel_glibc)"

# --- Rust: the core crate ----------------------------------------------------
say "cargo package -p redis-cloud-auth"
quiet cargo-package cargo package --allow-dirty -p redis-cloud-auth
crate="$CARGO_TARGET_DIR/package/redis-cloud-auth-$version.crate"
listing=$(tar tzf "$crate")
for member in README.md LICENSE-MIT LICENSE-APACHE Cargo.toml src/lib.rs; do
  grep -qx "redis-cloud-auth-$version/$member" <<<"$listing" || fail "the crate lacks $member"
done
cp "$crate" "$dist/"

say "done in $(($(date +%s) - start))s:"
(cd "$dist" && ls -l | sed 1d | awk '{printf "  %10d  %s\n", $5, $9}')
