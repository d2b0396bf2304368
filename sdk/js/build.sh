#!/usr/bin/env bash
# Builds a JavaScript sluice plugin into a WebAssembly component.
#
#   sdk/js/build.sh PLUGIN_DIR WIT_DIR OUT_WASM [normalizer|transformer]
#
# PLUGIN_DIR holds app.js (an ES module exporting `source`, or `transform`
# for a transformer); WIT_DIR is the
# contract folder the plugin is built for (`sluice plugin build` passes the
# newest, wit/since_vX.Y.Z). componentize-js is installed on first use under
# target/sdk-tools/js at the repository root.
set -euo pipefail

COMPONENTIZE_JS_VERSION=0.23.0

app=app.js
# shellcheck source=../build-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/../build-args.sh"

command -v node >/dev/null && command -v npm >/dev/null || {
    echo "error: node and npm are needed to build JavaScript plugins (tested with Node.js 20)" >&2
    exit 1
}

prefix="$repo_root/target/sdk-tools/js"
pkg="$prefix/node_modules/@bytecodealliance/componentize-js"
# Builds running at once (a test suite's) install once: the first holds
# the lock while it installs, the others then find the tool there.
mkdir -p "$prefix"
exec 9>"$prefix.lock"
flock 9
installed=$(node -p "require('$pkg/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$COMPONENTIZE_JS_VERSION" ]; then
    echo "installing @bytecodealliance/componentize-js@$COMPONENTIZE_JS_VERSION into $prefix" >&2
    mkdir -p "$prefix"
    # npm's errors go to stderr; its summary ("added N packages") is noise.
    npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error \
        "@bytecodealliance/componentize-js@$COMPONENTIZE_JS_VERSION" >/dev/null
fi
flock -u 9

# componentize-js reports a syntax error without saying where: let node say.
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
cp "$plugin_dir/app.js" "$check/app.mjs"
if ! node --check "$check/app.mjs" 2>"$check/err"; then
    sed "s|$check/app.mjs|$plugin_dir/app.js|" "$check/err" | grep -v '^    at \|^Node.js' >&2
    exit 1
fi

# Paths must be absolute: the tool cannot see relative ones. `-d http
# fetch-event` leaves out wasi:http, which the sandbox does not provide.
"$prefix/node_modules/.bin/componentize-js" "$plugin_dir/app.js" \
    --wit "$wit_dir" -n "$world" -d http fetch-event -o "$out"
echo "built $out ($(du -h "$out" | cut -f1))" >&2
