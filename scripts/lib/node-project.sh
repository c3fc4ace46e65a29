# Sourced by the steps that test the npm packages (50, 70): installs the
# main tarball and the linux-x64-gnu one scripts/dist.sh built into an
# empty project under the target dir, with the test dependencies node/'s
# package.json pins, and copies node/test and tests/ beside it. The tests
# import the package by its name, so they run against what npm installed.
# Sets $project. Needs no Rust toolchain.
source scripts/lib/dist-dir.sh
node_main_tgz=$(ls "$dist"/redis-cloud-auth-[0-9]*.tgz)
node_addon_tgz=$(ls "$dist"/redis-cloud-auth-linux-x64-gnu-[0-9]*.tgz)
project="$CARGO_TARGET_DIR/node-project"
node_test_deps=$(node -p "const d = require('./node/package.json').devDependencies;
  ['express', 'fastify', 'typescript'].map((n) => n + '@' + d[n]).join(' ')")
rm -rf "$project"
mkdir -p "$project/node"
cp -r node/test "$project/node/test"
cp -r tests "$project/tests"
(
  cd "$project"
  npm init -y >/dev/null
  start=$(date +%s)
  # shellcheck disable=SC2086 # one word per dependency
  npm install --no-audit --no-fund --loglevel=error "$node_main_tgz" "$node_addon_tgz" $node_test_deps
  echo "npm install $(basename "$node_main_tgz") $(basename "$node_addon_tgz"): $(( $(date +%s) - start ))s"
)
test -f "$project/node_modules/redis-cloud-auth-linux-x64-gnu/redis-cloud-auth.linux-x64-gnu.node"
if ls "$project"/node_modules/redis-cloud-auth/*.node >/dev/null 2>&1; then
  echo "the main package carries an addon of its own" >&2
  exit 1
fi
