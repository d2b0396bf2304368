#!/usr/bin/env bash
# Builds a Python sluice plugin into a WebAssembly component.
#
#   sdk/python/build.sh PLUGIN_DIR WIT_DIR OUT_WASM [normalizer|transformer]
#
# PLUGIN_DIR holds app.py (the module defining `Source`, or `Transform` for a
# transformer); WIT_DIR is the
# contract folder the plugin is built for (`sluice plugin build` passes the
# newest, wit/since_vX.Y.Z). componentize-py is installed on first use into a
# virtualenv under target/sdk-tools/python at the repository root.
set -euo pipefail

COMPONENTIZE_PY_VERSION=0.25.1

app=app.py
# shellcheck source=../build-args.sh
source "$(dirname "${BASH_SOURCE[0]}")/../build-args.sh"

venv="$repo_root/target/sdk-tools/python"
tool="$venv/bin/componentize-py"

# Builds running at once (a test suite's) install once: the first holds
# the lock while it installs, the others then find the tool there.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if ! "$tool" --version 2>/dev/null | grep -qF " $COMPONENTIZE_PY_VERSION"; then
    command -v python3 >/dev/null || {
        echo "error: python3 is not installed; it is needed once, to install componentize-py" >&2
        exit 1
    }
    echo "installing componentize-py==$COMPONENTIZE_PY_VERSION into $venv" >&2
    python3 -m venv "$venv" || {
        echo "error: python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "componentize-py==$COMPONENTIZE_PY_VERSION"
fi
flock -u 9

# componentize-py leaves __pycache__ where it imports from, so build from a
# copy of the plugin's code: its modules and packages, not its fixtures or
# build output. `app` below is the module app.py.
shopt -s nullglob
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
for entry in "$plugin_dir"/*.py "$plugin_dir"/*/__init__.py; do
    case "$entry" in
        */__init__.py) cp -R "$(dirname "$entry")" "$src/" ;;
        *) cp "$entry" "$src/" ;;
    esac
done
rm -rf "$src"/*/__pycache__ "$src"/__pycache__
"$tool" -d "$wit_dir" -w "$world" componentize -p "$src" app -o "$out"
echo "built $out ($(du -h "$out" | cut -f1))" >&2
