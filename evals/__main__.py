import sys

from evals import extras

if absent := extras.missing():
    print(extras.message(absent), file=sys.stderr)
    sys.exit(extras.EXIT_MISSING)

from evals.cli import main

main(prog_name="python -m evals")
