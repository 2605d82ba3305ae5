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
"$venv/bin/pytest" "$@"
tests=$?
wait "$typecheck"
typed=$?
echo "$venv/bin/mypy"
cat "$report"
[ "$tests" -eq 0 ] && [ "$typed" -eq 0 ]
