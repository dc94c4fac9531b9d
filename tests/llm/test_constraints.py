"""The numbers constraint: the model may write only numbers from an allowed set (the fact sheet's)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_tiny_pack import build_tiny_pack, make_tokenizer

from assistant.llm import Engine, GenerationConfig
from assistant.llm.constraints import AllowedNumbers, allowed_numbers_processor, chain, numbers_in


@pytest.fixture(scope="module")
def tok():
    return make_tokenizer()


def ids_of(tok, text: str) -> list[int]:
    return tok.encode(text).ids


def allowed_tokens(proc: AllowedNumbers, tok, generated_text: str) -> set[str]:
    logits = np.zeros(tok.get_vocab_size(), dtype=np.float32)
    out = proc(ids_of(tok, generated_text) if generated_text else [], logits)
    return {proc.texts[i] for i in np.flatnonzero(np.isfinite(out))}


def test_numbers_in_fact_sheet() -> None:
    assert numbers_in("Metformin 1000 mg; HbA1c 7.5 %. BP 142/88. eGFR 42.") == {"1000", "1", "7.5", "142", "88", "42"}


def test_fresh_numbers_must_start_an_allowed_number(tok) -> None:
    proc = AllowedNumbers(tok, {"1000", "42", "7.5"})
    ok = allowed_tokens(proc, tok, "Dose ")
    digit_tokens = {t for t in ok if any(c.isdigit() for c in t)}
    assert digit_tokens and all(t.strip()[0] in "147" for t in digit_tokens)
    assert "5" not in ok and " mg" in ok  # ordinary words stay allowed


def test_inside_a_number_only_allowed_continuations(tok) -> None:
    proc = AllowedNumbers(tok, {"1000", "42", "7.5"})
    ok = allowed_tokens(proc, tok, "Dose 10")
    assert "0" in ok and "5" not in ok
    assert " mg" not in ok and "." not in ok  # "10" is not allowed on its own, so it cannot end here
    ok = allowed_tokens(proc, tok, "Dose 1000")
    assert " mg" in ok and "0" not in ok  # 10000 is not allowed
    ok = allowed_tokens(proc, tok, "HbA1c 7")
    assert "." in ok and " mg" not in ok
    ok = allowed_tokens(proc, tok, "eGFR 42")
    assert "." in ok  # "42." may end a sentence


def test_non_numbers_are_rejected_at_construction(tok) -> None:
    with pytest.raises(ValueError, match="not numbers"):
        AllowedNumbers(tok, {"12a"})


def test_float_and_int_values_are_normalised(tok) -> None:
    proc = AllowedNumbers(tok, [1000.0, 7.5, 42])
    assert proc.allowed == {"1000", "7.5", "42"}


def test_generation_writes_only_allowed_numbers(tmp_path: Path) -> None:
    engine = Engine(build_tiny_pack(tmp_path / "p"), device="cpu", threads=1)
    texts = engine.tokenizer.decode_batch([[i] for i in range(engine.tokenizer.get_vocab_size())])
    digits = np.array([any(c.isdigit() for c in t) for t in texts])

    def loves_numbers(generated, logits):  # push the model hard towards writing digits
        logits[digits] += 50.0
        return logits

    unconstrained = engine.generate("Dose:", GenerationConfig(max_new_tokens=40), logits_processor=loves_numbers)
    free_numbers = set(re.findall(r"\d+(?:\.\d+)?", unconstrained.result()))
    allowed = {"1000", "42", "7.5"}
    assert free_numbers - allowed, "the test needs a model that writes other numbers when free"
    proc = chain(loves_numbers, allowed_numbers_processor(engine.tokenizer, allowed))
    gen = engine.generate("Dose:", GenerationConfig(max_new_tokens=40), logits_processor=proc)
    text = gen.result()
    found = re.findall(r"\d+(?:\.\d+)?", text)
    assert found, text
    complete = found[:-1] if text and text[-1].isdigit() else found  # the last may be cut by max_new_tokens
    assert set(complete) <= allowed, text
    if found[-1] not in complete:
        assert any(a.startswith(found[-1]) for a in allowed)
