#!/bin/sh
# Mutation testing of one module against the tests that should guard it:
#   bench/mutation.sh sphinxext/telnetmail/server/pop3.py "tests/test_server_pop3.py tests/test_server_pop3_rules.py"
# Prints mutmut's summary; the score is killed / total. Needs `pip install "mutmut<3"`
# in .venv (not a project dependency: it is slow, and run by hand).
set -eu
module=${1:?usage: bench/mutation.sh MODULE [TESTS]}
tests=${2:-tests}
cd "$(dirname "$0")/.."
# mutmut rewrites the module in place: run it on a copy, or a test run (or
# an editor) in the same tree meets the mutants. PYTHONPATH puts the copy's
# sources before the editable install's.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar --exclude=.venv --exclude=_build --exclude=.git -cf - . | tar -xf - -C "$work"
venv=$PWD/.venv
cd "$work"
export PYTHONPATH="$work/sphinxext"
"$venv/bin/mutmut" run --paths-to-mutate "$module" --tests-dir tests \
    --runner "$venv/bin/python -m pytest -x -q -p no:cacheprovider $tests" || true
"$venv/bin/mutmut" results
