from evals.cli import main

main(prog_name="python -m evals")
