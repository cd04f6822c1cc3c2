"""What can go wrong with the index, as callers see it: one family of errors whose message says what to do."""

from __future__ import annotations


class IndexStoreError(RuntimeError):
    """The index cannot be read or written; the message says what to do."""


class IndexUnavailableError(IndexStoreError):
    """The Chroma server cannot be reached (down, restarting, wrong address): try again later."""


class IndexCorruptError(IndexStoreError):
    """The index files are damaged; ``ChromaIndex.ensure`` sets them aside and rebuilds from the corpus."""


class StaleSnapshotError(IndexStoreError):
    """The snapshot's generation was replaced and dropped by an ingest: reopen the active one."""
