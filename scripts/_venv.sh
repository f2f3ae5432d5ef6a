# Sourced by scripts/demo, scripts/lab and scripts/test: find (or make) the project's venv.
#   VENV=/path/to/venv   use that venv (default: the active one, else .venv in the repo)
#   ensure_venv EXTRA MODULE...   create the venv if missing, and `pip install -e .[EXTRA]`
#                                 unless every MODULE already imports in it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-${VIRTUAL_ENV:-$ROOT/.venv}}"
PY="$VENV/bin/python"

ensure_venv() {
  local extra="$1"; shift
  if [ ! -x "$PY" ]; then
    echo "==> creating $VENV" >&2
    python3 -m venv "$VENV"
    "$PY" -m pip install -qq --upgrade pip >&2
  fi
  local probe="import nb_jobstatus"
  for module in "$@"; do probe="$probe, $module"; done
  if ! "$PY" -c "$probe" 2>/dev/null; then
    echo "==> installing nb-jobstatus[$extra] into $VENV (first run only)" >&2
    "$PY" -m pip install -qq -e "$ROOT[$extra]" >&2
  fi
  if ! "$PY" -c "$probe" 2>/dev/null; then
    # an older pyproject without this extra: install what the script needs by name
    local names=() module
    for module in "$@"; do
      case "$module" in
        playwright.sync_api) names+=(playwright) ;;
        bs4) names+=(beautifulsoup4) ;;
        xdist) names+=(pytest-xdist) ;;
        *) names+=("$module") ;;
      esac
    done
    "$PY" -m pip install -qq "${names[@]}" >&2
  fi
}
