"""The Chroma connection: an embedded store in ``<data_dir>/chroma`` or a server (``BOT_CHROMA_URL``).

Owns the client, turns every Chroma, disk or network failure into an ``IndexStoreError`` that names
the folder or server and says what to do, sets a damaged embedded database aside, and offers the
few collection operations the index needs (create, open, drop, read in pages, write in batches).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np

from bot.config import Settings
from bot.store.errors import IndexCorruptError, IndexStoreError, IndexUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 1000  # records a write or a read by id sends at once
PAGE = 5000  # records a full read asks for at once (one big read exceeds SQLite's variable limit)

# chromadb reports every SQLite failure as one type, ``chromadb.errors.InternalError``; only the
# message tells them apart, and it carries SQLite's result code, "(code: 11)". So this one case is
# matched on text: the code, not the wording. Primary codes (extended code & 0xFF):
_SQLITE_CODE = re.compile(r"\(code: (\d+)\)")
_SQLITE_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_SQLITE_UNWRITABLE = {8, 10, 13, 14}  # SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN


class ChromaBackend:
    """One Chroma client for one folder or server, opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None
        self._connecting = threading.Lock()

    # -- connection -------------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return self.settings.chroma_url

    @property
    def path(self) -> Path:
        """The embedded store's folder (unused with a Chroma server)."""
        return self.settings.data_dir / "chroma"

    @property
    def location(self) -> str:
        return self.server_url or str(self.path)

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._connecting:
                if self._client is None:
                    self._client = self.guarded("connecting", self._connect)
        return self._client

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if self.server_url:
            url = urlparse(self.server_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise IndexStoreError(
                f"cannot create the index folder {self.path} ({exc.strerror or exc}); "
                "set BOT_DATA_DIR to a writable folder"
            ) from None
        try:
            return chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)
        except Exception:
            # chromadb keeps the system of a client that failed to start (e.g. on a damaged file) in
            # its process-wide cache, and the next client of this folder would reuse it and fail with
            # an unrelated AttributeError. Its public ``clear_system_cache`` forgets it.
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
            raise

    def close(self) -> None:
        """Let go of the client; once no other client in this process uses the folder, its files are closed."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing a client of a dead server is not an error
                client.close()

    def set_aside(self) -> None:
        """Move a damaged embedded store out of the way (kept for inspection), so a fresh one can be built."""
        self.close()
        if self.path.exists():
            target = self.path.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            self.path.rename(target)
            log.warning("moved the damaged index to %s", target)

    # -- errors -----------------------------------------------------------------------
    def guarded(self, doing: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except IndexStoreError:
            raise
        except Exception as exc:
            raise self.translate(exc, doing) from exc

    def translate(self, exc: BaseException, doing: str) -> IndexStoreError:
        """A Chroma, disk or network failure as an ``IndexStoreError`` that says where and what to do."""
        if isinstance(exc, IndexStoreError):
            return exc
        text = str(exc).strip() or exc.__class__.__name__
        if self.server_url and is_unreachable(exc):
            return IndexUnavailableError(
                f"cannot reach the Chroma server at {self.server_url} while {doing} ({text}); "
                "check that it is running (chroma run --path DIR --host HOST --port PORT)"
            )
        code = sqlite_code(exc)
        if code in _SQLITE_DAMAGED:
            return IndexCorruptError(f"the index at {self.location} is damaged ({text})")
        if isinstance(exc, OSError) or code in _SQLITE_UNWRITABLE:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else text
            return IndexStoreError(
                f"cannot use the index at {self.location} while {doing} ({reason}); "
                "check that the folder exists, is writable and the disk has free space"
            )
        return IndexStoreError(f"the index at {self.location} failed while {doing}: {text}")

    # -- collections ------------------------------------------------------------------
    def collection(self, name: str, doing: str = "") -> Any:
        """An existing collection, or None when there is none by that name."""
        from chromadb.errors import NotFoundError

        def get() -> Any:
            try:
                return self.client.get_collection(name, embedding_function=None)
            except NotFoundError:
                return None

        return self.guarded(doing or f"opening {name}", get)

    def create(self, name: str, metadata: dict[str, Any] | None = None) -> Any:
        return self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, metadata=metadata, embedding_function=None
        )

    def drop(self, names: Sequence[str]) -> None:
        from chromadb.errors import NotFoundError

        for name in names:
            with contextlib.suppress(NotFoundError):  # not there: nothing to drop
                self.client.delete_collection(name)


def is_unreachable(exc: BaseException) -> bool:
    """A network failure anywhere in the exception's chain (chromadb re-raises httpx's as ValueError)."""
    import httpx

    return any(isinstance(e, httpx.TransportError | ConnectionError | TimeoutError) for e in _chain(exc))


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code in a chromadb ``InternalError``, or None."""
    from chromadb.errors import InternalError

    if not isinstance(exc, InternalError):
        return None
    found = _SQLITE_CODE.search(str(exc))
    return int(found.group(1)) & 0xFF if found else None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def read_all(collection: Any, include: list[str]) -> dict[str, list[Any]]:
    """Every record of a collection, a page at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        if not got["ids"]:
            return out
        out["ids"] += got["ids"]
        for key in include:
            out[key] += list(got[key])
        offset += len(got["ids"])
        if len(got["ids"]) < PAGE:
            return out


def vectors_by_id(collection: Any, ids: list[str]) -> dict[str, np.ndarray]:
    """Stored vectors of the records that exist among ``ids``."""
    if collection is None or not ids:
        return {}
    out: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), BATCH):
        got = collection.get(ids=ids[start : start + BATCH], include=["embeddings"])
        out.update((i, np.asarray(v, dtype=np.float32)) for i, v in zip(got["ids"], got["embeddings"], strict=True))
    return out


def add(collection: Any, ids: list[str], vectors: list[np.ndarray], docs: list[str], metas: list[dict]) -> None:
    for start in range(0, len(ids), BATCH):
        end = start + BATCH
        collection.add(
            ids=ids[start:end],
            embeddings=np.asarray(vectors[start:end], dtype=np.float32),
            documents=docs[start:end],
            metadatas=metas[start:end],
        )


def probe(collection: Any, name: str, expected: int | None) -> str | None:
    """A problem with one collection (missing, short, unsearchable), or None."""
    if collection is None:
        return f"{name} is missing"
    count = collection.count()
    if count == 0 or (expected is not None and count != expected):
        return f"{name} holds {count} records, expected {expected or 'some'}"
    first = collection.get(limit=1, include=["embeddings"])
    if not first["ids"] or first["embeddings"] is None or len(first["embeddings"]) == 0:
        return f"{name} has no stored vectors"
    found = collection.query(query_embeddings=[first["embeddings"][0]], n_results=min(3, count), include=[])
    if len(found["ids"][0]) != min(3, count):
        return f"{name}'s vector index returned {len(found['ids'][0])} of {min(3, count)} neighbours"
    return None
