"""The stock LangChain recipe, as the baseline row: split, embed, store, top-4 similarity search.

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over each article's Markdown
body, the same MiniLM embeddings (through a LangChain ``Embeddings`` adapter around the one
loaded model) and an ephemeral ``langchain_chroma.Chroma``. It has no answer composer, so it is
scored on retrieval and on whether its top-4 context holds the key facts.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from bot.embeddings import Embedder

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4


def _embeddings_adapter(embedder: Embedder) -> Any:
    from langchain_core.embeddings import Embeddings

    class SharedMiniLM(Embeddings):
        """LangChain's interface over ``bot.embeddings``: the model is loaded once per process."""

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(list(texts)).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    return SharedMiniLM()


class LangChainStock:
    """``retrieve(query, k)`` → [(doc_id, text)], best first."""

    name = "langchain-stock"

    def __init__(self, corpus_dir: Path, embedder: Embedder) -> None:
        self.corpus_dir = corpus_dir
        self.embedder = embedder
        self._store: Any = None
        self.chunks = 0

    def build(self) -> None:
        import chromadb
        import frontmatter
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        documents = []
        for path in sorted(self.corpus_dir.glob("*.md")):
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
            documents.append(Document(page_content=post.content, metadata={"doc_id": str(post.metadata.get("id"))}))
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        chunks = splitter.split_documents(documents)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        # A fresh collection name: ephemeral clients in one process share their state.
        self._store = Chroma(
            collection_name=f"langchain-stock-{uuid.uuid4().hex[:8]}",
            embedding_function=_embeddings_adapter(self.embedder),
            client=client,
        )
        self._store.add_documents(chunks)
        self.chunks = len(chunks)

    def retrieve(self, query: str, k: int = TOP_K) -> list[tuple[str, str]]:
        if self._store is None:
            self.build()
        if not query.strip():
            return []
        found = self._store.similarity_search(query, k=k)
        return [(str(d.metadata.get("doc_id")), d.page_content) for d in found]

    def close(self) -> None:
        if self._store is not None:
            self._store.delete_collection()
            self._store = None
