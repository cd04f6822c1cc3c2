"""Patient-education assistant: cited answers quoted from the articles in a corpus folder.

``from bot import Assistant`` — heavy libraries load on first use, not on import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.replies import NOTICE

if TYPE_CHECKING:
    from bot.assistant import Assistant
    from bot.config import Settings
    from bot.types import Answer, Citation

__all__ = ["NOTICE", "Answer", "Assistant", "Citation", "Settings"]

_LAZY = {
    "Answer": "bot.types",
    "Citation": "bot.types",
    "Assistant": "bot.assistant",
    "Settings": "bot.config",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
