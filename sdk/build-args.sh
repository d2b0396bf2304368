# Sourced by sdk/python/build.sh and sdk/js/build.sh, with their arguments
# PLUGIN_DIR WIT_DIR OUT_WASM [WORLD] and `app` naming the file PLUGIN_DIR
# must hold: checks them and sets `plugin_dir` and `wit_dir` (absolute,
# existing), `out` (absolute, its folder created), `world` (`normalizer`
# unless given: `transformer` for a transformer) and `repo_root`.

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 PLUGIN_DIR WIT_DIR OUT_WASM [normalizer|transformer]" >&2
    exit 2
fi
world=${4:-normalizer}
case "$world" in
    normalizer | transformer) ;;
    *) echo "error: the kit builds a normalizer or a transformer in this language, not a $world" >&2; exit 2 ;;
esac
abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
plugin_dir=$(cd "$1" 2>/dev/null && pwd -P) || { echo "error: no plugin directory $1" >&2; exit 1; }
wit_dir=$(cd "$2" 2>/dev/null && pwd -P) || { echo "error: no WIT directory $2" >&2; exit 1; }
[ -f "$plugin_dir/$app" ] || { echo "error: $plugin_dir has no $app" >&2; exit 1; }
mkdir -p "$(dirname "$3")"
out=$(abs "$3")
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
