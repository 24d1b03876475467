"""The model is used only when its files match the pinned hashes; otherwise lexical, said why."""

from __future__ import annotations

import pytest

from mc2cli.reading import embedding


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
