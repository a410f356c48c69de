#!/bin/sh
# Prints the first Python >= 3.12 that actually runs. pyenv shims such as
# python3.12 exist on PATH but fail unless PYENV_VERSION is set, so each
# candidate is run rather than trusted.
root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
for c in "${PYTHON:-}" python3.13 python3.12 python3 "$root"/versions/3.13.*/bin/python3 "$root"/versions/3.12.*/bin/python3; do
  [ -n "$c" ] || continue
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
echo "no Python >= 3.12 found: install one, or set PYTHON=/path/to/python3.12" >&2
exit 1
