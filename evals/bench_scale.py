"""Scale part of ``python -m evals.bench``: synthetic corpora of 1k-50k passages.

Text: each synthetic sentence splices the start of one real sentence of the two articles onto the
end of another, so the words, lengths and vocabulary are the articles' own. The sentences are
written as Markdown articles with YAML front matter (one paragraph = one passage of five
sentences, ten passages a section, ten sections an article) into a temporary corpus folder.

Vectors: embedding 50k passages and their sentences with MiniLM on 2 CPU cores would take most of
an hour, so the large indexes get *recombined* real embeddings: a spliced sentence's vector is the
normalised, length-weighted sum of its two source sentences' MiniLM vectors (plus a little noise so
no two are equal), a passage's vector the normalised mean of its sentences'. They are written with
``ChromaIndex.load_prepared`` — same collections, metadata and manifest as a real ingest — so
queries (real MiniLM embeddings of real questions) run on a real index of that size. A real ingest
(chunker, MiniLM, Chroma) is timed separately on a sample of the synthetic corpus.

Each sentence is shared by about ten passages (a pool of half as many sentences as passages),
which keeps the sentence collection at half the passage count rather than five times it: Chroma
writes ~600-1,500 records/s here, and the whole benchmark must stay under 10 minutes. Said so
in the report.
"""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SENTENCES_PER_PASSAGE = 5
PASSAGES_PER_SECTION = 10
SECTIONS_PER_ARTICLE = 10
#: Passages each synthetic sentence appears in, on average (its pool is passages × 5 / this).
SHARED_BY = 10


@dataclass
class Tier:
    chunks: int
    sentences: int
    write_seconds: float
    open_seconds: float
    in_memory: bool
    retrieve_ms: dict[str, float]
    ask_ms: dict[str, float]

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.write_seconds if self.write_seconds else 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "n": 0}
    ordered = np.asarray(values) * 1000
    return {
        "p50": round(float(np.percentile(ordered, 50)), 2),
        "p95": round(float(np.percentile(ordered, 95)), 2),
        "p99": round(float(np.percentile(ordered, 99)), 2),
        "n": len(values),
    }


class Splicer:
    """Synthetic sentences and their recombined vectors, from the real sentences of the articles."""

    def __init__(self, texts: list[str], vectors: np.ndarray, seed: int = 7) -> None:
        self.words = [t.split() for t in texts]
        self.vectors = vectors
        self.random = random.Random(seed)
        self.noise = np.random.default_rng(seed)
        self._seen: set[str] = set()

    def sentence(self) -> tuple[str, np.ndarray]:
        for _ in range(100):
            a, b = self.random.randrange(len(self.words)), self.random.randrange(len(self.words))
            wa, wb = self.words[a], self.words[b]
            if len(wa) < 4 or len(wb) < 4:
                continue
            cut_a = self.random.randint(2, max(2, len(wa) // 2 + 2))
            cut_b = self.random.randint(max(1, len(wb) // 2 - 2), len(wb) - 2)
            head, tail = wa[:cut_a], wb[cut_b:]
            text = " ".join(head + tail)
            text = text[0].upper() + text[1:]
            if text[-1] not in ".?!":
                text += "."
            if text in self._seen:
                continue
            self._seen.add(text)
            share = len(head) / (len(head) + len(tail))
            vector = share * self.vectors[a] + (1 - share) * self.vectors[b]
            vector = vector + self.noise.normal(0, 0.02, vector.shape)
            return text, (vector / np.linalg.norm(vector)).astype(np.float32)
        raise RuntimeError("could not make a new synthetic sentence")


def real_sentences(index: Any) -> tuple[list[str], np.ndarray, list[str]]:
    """Every sentence of the built two-article index with its MiniLM vector, and the section titles."""
    snapshot = index.open_snapshot()
    ids = [sid for c in snapshot.chunks for sid in c.sentence_ids]
    stored = snapshot.sentences(ids)
    texts = [s.text for s in stored.values() if not s.text.endswith("?")]
    vectors = np.stack([s.embedding for s in stored.values() if not s.text.endswith("?")])
    sections = sorted({c.section for c in snapshot.chunks})
    return texts, vectors, sections


def write_corpus(folder: Path, chunks: int, splicer: Splicer, sections: list[str], seed: int = 11) -> dict[str, Any]:
    """Markdown articles with front matter holding ``chunks`` passages; returns what the loader needs."""
    from bot.chunking import Chunk, Sentence, content_id
    from bot.corpus import Document, Section

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pool = [splicer.sentence() for _ in range(max(chunks * SENTENCES_PER_PASSAGE // SHARED_BY, 500))]
    pool_sentences = [Sentence(content_id("synthetic", text), text, (), 0) for text, _ in pool]
    sentence_vectors = {s.id: v for s, (_, v) in zip(pool_sentences, pool, strict=True)}
    docs: list[Document] = []
    all_chunks: list[Chunk] = []
    chunk_vectors: dict[str, np.ndarray] = {}
    made = 0
    article = 0
    while made < chunks:
        doc_id = f"synthetic-{article:04d}"
        title = f"Synthetic article {article} on CAR-NK and CAR-T cell therapy"
        lines = ["---", f"id: {doc_id}", f'title: "{title}"', "---", ""]
        doc_sections = []
        doc_chunks: list[Chunk] = []
        for s in range(SECTIONS_PER_ARTICLE):
            if made >= chunks:
                break
            heading = f"{rng.choice(sections)} ({s + 1})"
            lines += [f"## {heading}", ""]
            paragraphs = []
            for _ in range(PASSAGES_PER_SECTION):
                if made >= chunks:
                    break
                # Consecutive windows of the pool, like a chunker's overlap.
                start = rng.randrange(len(pool_sentences))
                group = tuple(pool_sentences[(start + i) % len(pool_sentences)] for i in range(SENTENCES_PER_PASSAGE))
                paragraph = " ".join(x.text for x in group)
                paragraphs.append(paragraph)
                lines += [paragraph, ""]
                cid = content_id(doc_id, heading, str(len(doc_chunks)), paragraph)
                chunk = Chunk(cid, doc_id, title, heading, len(doc_chunks), group)
                doc_chunks.append(chunk)
                mean = np.mean([sentence_vectors[x.id] for x in group], axis=0)
                chunk_vectors[chunk.id] = (mean / np.linalg.norm(mean)).astype(np.float32)
                made += 1
            doc_sections.append(Section(heading, tuple(paragraphs)))
        path = folder / f"{doc_id}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        docs.append(Document(doc_id, title, path, tuple(doc_sections), {}, {}, content_id(path.read_text())))
        all_chunks += doc_chunks
        article += 1
    return {"docs": docs, "chunks": all_chunks, "chunk_vectors": chunk_vectors, "sentence_vectors": sentence_vectors}


def run_tier(
    work: Path, chunks: int, splicer: Splicer, sections: list[str], embedder: Any, questions: list[str]
) -> Tier:
    from bot.assistant import Assistant
    from bot.config import Settings
    from bot.store import ChromaIndex

    corpus = work / f"corpus-{chunks}"
    data_dir = work / f"data-{chunks}"
    made = write_corpus(corpus, chunks, splicer, sections)
    settings = Settings(corpus_dir=corpus, data_dir=data_dir)
    index = ChromaIndex(settings, embedder)
    stats = index.load_prepared(made["docs"], made["chunks"], made["chunk_vectors"], made["sentence_vectors"])
    del made
    bot = Assistant(settings, embedder=embedder)
    started = time.perf_counter()
    bot.ensure_index()
    bot.retriever.refresh()
    opened = time.perf_counter() - started
    snapshot = bot.retriever._snapshot
    retrieve, ask = [], []
    for q in questions:
        embedder.embed_query.cache_clear()
        t = time.perf_counter()
        bot.retriever.retrieve(q)
        retrieve.append(time.perf_counter() - t)
        embedder.embed_query.cache_clear()
        t = time.perf_counter()
        bot.ask(q)
        ask.append(time.perf_counter() - t)
    tier = Tier(
        chunks=stats.chunks,
        sentences=stats.sentences_embedded,
        write_seconds=stats.seconds,
        open_seconds=opened,
        in_memory=bool(snapshot and snapshot.in_memory),
        retrieve_ms=percentiles(retrieve),
        ask_ms=percentiles(ask),
    )
    index.close()
    bot.index.close()
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    return tier


def real_ingest_sample(work: Path, splicer: Splicer, sections: list[str], embedder: Any, chunks: int) -> dict[str, Any]:
    """A real ingest (loader, chunker, MiniLM, Chroma) of a synthetic corpus of about ``chunks`` passages."""
    from bot.config import Settings
    from bot.store import ChromaIndex

    corpus = work / "corpus-sample"
    write_corpus(corpus, chunks, splicer, sections, seed=23)
    index = ChromaIndex(Settings(corpus_dir=corpus, data_dir=work / "data-sample"), embedder)
    stats = index.ingest()
    index.close()
    return {
        "chunks": stats.chunks,
        "sentences": stats.sentences_embedded,
        "seconds": round(stats.seconds, 2),
        "chunks_per_second": round(stats.chunks / stats.seconds, 1),
    }


def plot(tiers: list[Tier], baseline: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [t.chunks for t in tiers]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(sizes, [t.chunks_per_second for t in tiers], "o-")
    left.set(xscale="log", xlabel="passages in the index", ylabel="passages/s", title="Index write, vectors given")
    left.set_ylim(bottom=0)
    for key, style in (("p50", "o-"), ("p95", "s--")):
        right.plot(sizes, [t.retrieve_ms[key] for t in tiers], style, label=f"retrieve {key}")
        right.plot(sizes, [t.ask_ms[key] for t in tiers], style, label=f"ask {key}", alpha=0.6)
    right.axhline(baseline["p50"], color="grey", lw=0.8, ls=":", label="retrieve p50, two articles")
    right.set(xscale="log", xlabel="passages in the index", ylabel="ms", title="Question latency (one process, warm)")
    right.set_ylim(bottom=0)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
