#!/bin/sh
# Print the path of a Python interpreter >= 3.12, or explain why there is none.
# Order: $PYTHON if set, python3.12..python3.14 and python3 on PATH, then pyenv versions.
ok() { "$@" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then command -v "$PYTHON"; exit 0; fi
  echo "find-python: PYTHON=$PYTHON is not a Python >= 3.12" >&2; exit 1
fi
for name in python3.12 python3.13 python3.14 python3 python; do
  if command -v "$name" >/dev/null 2>&1 && ok "$name"; then
    "$name" -c 'import sys; print(sys.executable)'; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -V); do
    if ok "$candidate/bin/python"; then echo "$candidate/bin/python"; exit 0; fi
  done
fi
echo "find-python: no Python >= 3.12 found (looked at \$PYTHON, python3.12+ on PATH and pyenv versions);" \
     "install one, or run: make PYTHON=/path/to/python3.12" >&2
exit 1
