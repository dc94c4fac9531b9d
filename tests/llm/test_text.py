"""Chat-template rendering, stop strings across streamed pieces, and the sampler's rules."""

from __future__ import annotations

import numpy as np
import pytest
from test_tiny_pack import CHAT_TEMPLATE, make_tokenizer

from assistant.errors import BadInputError, ModelPackError
from assistant.llm.sampling import GenerationConfig, Sampler
from assistant.llm.template import render_chat
from assistant.llm.textstream import TextStream


def test_render_chat_with_pack_template() -> None:
    out = render_chat(CHAT_TEMPLATE, [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}])
    assert out == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"


def test_render_chat_hf_features() -> None:
    template = ("{{ bos_token }}{% for m in messages %}{% if m['role'] == 'tool' %}"
                "{{ raise_exception('no tools') }}{% endif %}{{ m['content'] | tojson }}{% endfor %}")
    assert render_chat(template, [{"role": "user", "content": "é"}], bos_token="<s>") == '<s>"é"'
    with pytest.raises(BadInputError, match="no tools"):
        render_chat(template, [{"role": "tool", "content": "x"}])


def test_render_chat_fallback_and_bad_input() -> None:
    assert render_chat(None, [{"role": "user", "content": "Hi"}]) == "User: Hi\n\nAssistant:"
    with pytest.raises(BadInputError):
        render_chat(None, [])
    with pytest.raises(BadInputError):
        render_chat(None, [{"role": "user"}])
    with pytest.raises(ModelPackError):
        render_chat("{% for %}", [{"role": "user", "content": "x"}])


def _stream(text: str, stops: tuple[str, ...]) -> tuple[list[str], TextStream]:
    tok = make_tokenizer()
    stream = TextStream(tok, stops)
    pieces = []
    for i in tok.encode(text).ids:
        pieces.append(stream.push(i))
        if stream.stopped_on:
            break
    else:
        pieces.append(stream.flush())
    return pieces, stream


def test_stop_string_spanning_pieces_is_never_shown() -> None:
    pieces, stream = _stream("Dose 1000 mg twice daily. Review in 3 months.", ("twice da",))
    assert "".join(pieces) == stream.text == "Dose 1000 mg "
    assert stream.stopped_on == "twice da"
    assert not any("tw" in p for p in pieces)


def test_held_back_prefix_released_when_not_a_stop() -> None:
    pieces, stream = _stream("rash. Naïve café", ("rashes",))
    assert "".join(pieces) == "rash. Naïve café" and stream.stopped_on is None


def test_multibyte_characters_stream_whole() -> None:
    pieces, _ = _stream("Naïve café résumé", ())
    assert "".join(pieces) == "Naïve café résumé"
    assert all("\ufffd" not in p for p in pieces)


def test_config_validation() -> None:
    with pytest.raises(BadInputError):
        GenerationConfig(max_new_tokens=0)
    with pytest.raises(BadInputError):
        GenerationConfig(top_p=0)
    with pytest.raises(BadInputError):
        GenerationConfig(overflow="wrap")
    assert GenerationConfig(stop_strings="END").stop_strings == ("END",)  # type: ignore[arg-type]


def test_repetition_penalty_discourages_seen_tokens() -> None:
    logits = np.array([2.0, 1.9, -1.0, 0.5], dtype=np.float32)
    plain = Sampler(GenerationConfig(), [3], prompt_ids=[0])
    assert plain.choose(logits, []) == 0
    penal = Sampler(GenerationConfig(repetition_penalty=1.3), [3], prompt_ids=[0])
    assert penal.choose(logits, []) == 1  # 2.0 / 1.3 < 1.9
    assert logits[0] == 2.0  # the caller's logits are not modified


def test_top_p_keeps_the_nucleus() -> None:
    logits = np.array([5.0, 4.9, -5.0, -5.0], dtype=np.float32)
    s = Sampler(GenerationConfig(temperature=1.0, top_p=0.5, seed=1), [3], [])
    assert {s.choose(logits, []) for _ in range(50)} == {0}
    s = Sampler(GenerationConfig(temperature=1.0, top_p=0.99, seed=1), [3], [])
    assert {s.choose(logits, []) for _ in range(200)} == {0, 1}


def test_processor_forbidding_everything_is_reported() -> None:
    s = Sampler(GenerationConfig(), [3], [], processor=lambda g, x: np.full_like(x, -np.inf))
    with pytest.raises(BadInputError, match="forbade every token"):
        s.choose(np.zeros(4, dtype=np.float32), [])
