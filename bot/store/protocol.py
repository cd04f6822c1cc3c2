"""``Store``: what the assistant and the retriever need of an index, whatever keeps it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.corpus import Document
from bot.store.records import Health, IngestStats
from bot.store.snapshot import Snapshot


class Store(Protocol):
    """An index of the corpus in generations: ``ChromaIndex`` (Chroma) or ``MemoryStore`` (tests)."""

    @property
    def location(self) -> str:
        """Where the index is, for messages (a folder, a server address)."""
        ...

    def generation(self) -> int | None:
        """The active generation, or None when there is no index (cheap enough to poll)."""
        ...

    def check(self) -> Health: ...

    def ensure(self, *, progress: bool = False) -> IngestStats | None:
        """Build a missing or outdated index, rebuild a damaged one; None when it was fine."""
        ...

    def ingest(
        self,
        docs: Sequence[Document] | None = None,
        *,
        rebuild: bool = False,
        progress: bool = False,
        wait: float = 600,
    ) -> IngestStats:
        """Bring the index in line with the corpus (or ``docs``), embedding only what changed."""
        ...

    def open_snapshot(self) -> Snapshot:
        """The active generation, with its corpus profile; it stays usable while a new one is built."""
        ...

    def close(self) -> None: ...
