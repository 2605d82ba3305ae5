#!/bin/sh
# Run pytest (with the arguments given) and, at the same time, mypy at a lower priority; print mypy's report
# after the tests and fail when either fails.
#
# Without its cache mypy spends about 15 s of one core on wargame/. pytest's workers leave the cores idle
# for longer than that while they wait on child processes, servers, the browser and each other at the
# end, so mypy, niced, runs in that idle time instead of before the tests. `make lint` and `make typecheck`
# still run mypy on its own.
venv=${VENV:-.venv}
report=$(mktemp)
trap 'rm -f "$report"' EXIT
nice -n 10 "$venv/bin/mypy" >"$report" 2>&1 &
typecheck=$!
# A background job of a script ignores Ctrl-C: stop mypy with the tests.
trap 'kill "$typecheck" 2>/dev/null; exit 130' INT TERM
# Every process of the suite that imports wargame (pytest's workers, fork servers, Dask workers, the CLI and
# web servers it starts: over a hundred) would otherwise compile its modules again when the environment
# says not to write bytecode (PYTHONDONTWRITEBYTECODE): about 0.5 s of CPU each. Compile them once.
"$venv/bin/python" -m compileall -q -j 0 wargame tests >/dev/null
"$venv/bin/pytest" "$@"
tests=$?
wait "$typecheck"
typed=$?
echo "$venv/bin/mypy"
cat "$report"
[ "$tests" -eq 0 ] && [ "$typed" -eq 0 ]
