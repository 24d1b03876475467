"""The model is used only when its files match the pinned hashes; otherwise lexical, said why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

from mc2cli.reading import embedding

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def test_a_model_file_that_does_not_match_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "MODEL_SHA256", "0" * 64)
    found, why = embedding.encoder()
    assert found is None and "does not match its pinned sha256" in why


def test_a_tokenizer_that_does_not_match_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "TOKENIZER_SHA256", "0" * 64)
    found, why = embedding.encoder()
    assert found is None and "tokenizer" in why


def test_without_the_extra_the_reason_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "missing_modules", lambda: ["onnxruntime"])
    found, why = embedding.encoder()
    assert found is None and "pip install 'mc2cli[analyze]'" in why


class _Counting:
    """A tiny encoder that counts the texts it encodes."""

    name = "counting"

    def __init__(self, cache_key: str | None = "counting-v1") -> None:
        self.cache_key = cache_key
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        self.encoded += len(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_library_vectors_are_encoded_once_then_read_from_the_cache() -> None:
    texts = ["Security Patch timeline.", "Software bill of materials."]
    first = _Counting()
    a = embedding.encode_cached(first, texts)
    assert first.encoded == 2
    again = _Counting()
    b = embedding.encode_cached(again, texts)
    assert again.encoded == 0 and (a == b).all() and b.dtype.name == "float32"
    changed = _Counting()
    embedding.encode_cached(changed, [*texts, "A third text."])
    assert changed.encoded == 3  # other texts: another entry
    other_model = _Counting("counting-v2")
    embedding.encode_cached(other_model, texts)
    assert other_model.encoded == 2  # another model or setting: another entry


def test_an_encoder_without_a_cache_key_always_encodes() -> None:
    enc = _Counting(None)
    embedding.encode_cached(enc, ["one"])
    embedding.encode_cached(enc, ["one"])
    assert enc.encoded == 2


def test_a_corrupt_vector_entry_is_encoded_again() -> None:
    from mc2cli.inputs import cache

    texts = ["Remote access sessions."]
    embedding.encode_cached(_Counting("corrupt-test"), texts)
    cache.store(cache.key("vectors", "corrupt-test", *texts), (1, 2, b"short"))
    enc = _Counting("corrupt-test")
    vectors = embedding.encode_cached(enc, texts)
    assert enc.encoded == 1 and vectors.shape == (1, 2)
