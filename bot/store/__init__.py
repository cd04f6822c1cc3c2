"""The index of the corpus: written in generations at ingest, read as snapshots.

* ``chroma`` – ``ChromaIndex``, the index in Chroma (embedded folder or ``BOT_CHROMA_URL`` server);
* ``backend`` – the Chroma connection, its failures as ``IndexStoreError``, a damaged store set aside;
* ``ingest`` – the idempotent ingest into a new generation, the manifest, the ingest lock;
* ``snapshot`` – ``Snapshot``, one generation as readers see it (in-memory or Chroma search);
* ``memory`` – ``MemoryStore``, the same ``Store`` protocol in memory, for tests;
* ``protocol`` – ``Store``, what the assistant and the retriever need of an index.

An ingest writes generation N+1 beside N (reusing stored embeddings of unchanged passages), then
flips the manifest: readers never see a half-built index. A reader holding generation N when it
is dropped gets ``StaleSnapshotError`` and reopens the new one.
"""

from bot.store.chroma import ChromaIndex
from bot.store.errors import IndexCorruptError, IndexStoreError, IndexUnavailableError, StaleSnapshotError
from bot.store.ingest import ingest_lock
from bot.store.memory import MemoryStore
from bot.store.protocol import Store
from bot.store.records import Health, IngestStats, Manifest, StoredChunk, StoredSentence
from bot.store.snapshot import Snapshot

__all__ = [
    "ChromaIndex",
    "Health",
    "IndexCorruptError",
    "IndexStoreError",
    "IndexUnavailableError",
    "IngestStats",
    "Manifest",
    "MemoryStore",
    "Snapshot",
    "StaleSnapshotError",
    "Store",
    "StoredChunk",
    "StoredSentence",
    "ingest_lock",
]
