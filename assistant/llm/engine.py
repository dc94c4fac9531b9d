"""The language-model engine: tokenize, prefill, decode token by token, stream text, report stats."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Generator as PyGenerator
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from tokenizers import Tokenizer

from assistant.errors import AssistantError, BadInputError, ModelPackError
from assistant.llm.hugepages import anonymous_regions, collapse_new_memory
from assistant.llm.kvcache import DecoderRunner
from assistant.llm.layout import check_against_session, layout_from_session
from assistant.llm.lmhead import LOGITS_POSITIONS, model_with_logits_positions
from assistant.llm.pack import ModelPack
from assistant.llm.providers import choose_provider, create_session, physical_cores
from assistant.llm.sampling import GenerationConfig, LogitsProcessor, Sampler
from assistant.llm.speculative import DraftLength, PromptLookup
from assistant.llm.stats import GenerationStats, peak_rss_mb, release_free_memory, reset_peak_rss
from assistant.llm.template import Message, render_chat
from assistant.llm.textstream import TextStream
from assistant.llm.tokenizer import load_tokenizer

log = logging.getLogger(__name__)

# The prompt goes through the model in pieces of at most this many tokens. A prompt's activations
# (attention scores grow with the square of the piece) then stay bounded, however long the fact
# sheet, without shrinking ONNX Runtime's arena after each prefill (which cost ~10 ms of page faults
# in every time to first token); each extra piece costs one more pass over the weights (~1 % of a
# 600-token prefill), and a cancel is seen between pieces. Pieces of 128 tokens or more gave greedy
# output identical to one call (prompts of 600, 1,500 and 3,000 tokens); pieces of 5 tokens or
# fewer take other int8 kernels and do not.
PREFILL_CHUNK_TOKENS = 512


def prefill_chunks(n_tokens: int, max_chunk: int | None) -> list[tuple[int, int]]:
    """Split `n_tokens` into near-equal (start, end) pieces of at most `max_chunk` tokens."""
    if not max_chunk or n_tokens <= max_chunk:
        return [(0, n_tokens)]
    count = -(-n_tokens // max_chunk)
    size = -(-n_tokens // count)  # equal pieces: 600 tokens -> 300 + 300, not 512 + 88
    return [(s, min(s + size, n_tokens)) for s in range(0, n_tokens, size)]


# A text for the start-up check of speculative checks (any tokens serve; these are the app's kind).
_PROBE = ("Medication: metformin 500 mg twice daily. Problem: hypertension since 2012. "
          "Potassium 5.1 mmol/L on 2026-11-02.")


class EngineBusyError(AssistantError):
    """A second generation was started on an engine that is already generating."""


class Generation:
    """An iterator of text pieces from one call; `stats`, `text` and `token_ids` fill in as it runs.

    Nothing runs until the first `next()`. Stop early with `close()`, `Engine.cancel()` or the
    call's cancel event; the stop is seen between any two tokens. A generation left paused by the
    thread that starts the next one (a `break` out of its loop) is ended by that start; one being
    consumed by another thread makes the start raise EngineBusyError.
    """

    def __init__(self, engine: Engine, prompt_ids: list[int], config: GenerationConfig,
                 processor: LogitsProcessor | None, cancel: threading.Event | None, truncated: int) -> None:
        self.stats = GenerationStats(prompt_tokens=len(prompt_ids), truncated_tokens=truncated,
                                     provider=engine.provider, threads=engine.threads)
        self.prompt_ids = prompt_ids
        self.token_ids: list[int] = []
        self.text = ""
        self._thread: int | None = None  # the thread that last advanced it
        self._iter = engine._run(self, config, processor, cancel)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self._thread = threading.get_ident()
        return next(self._iter)

    def _abandoned_here(self) -> bool:
        """Paused, and by this thread, which has moved on (e.g. `break` out of the loop)."""
        return self._thread == threading.get_ident() and inspect.getgeneratorstate(self._iter) == inspect.GEN_SUSPENDED

    def close(self) -> None:
        self._iter.close()

    def result(self) -> str:
        """Run to the end and return the whole text."""
        for _ in self:
            pass
        return self.text


class Engine:
    """Runs one model pack; one generation at a time, cancellable from another thread."""

    def __init__(self, pack: ModelPack | str | Path, device: str = "auto", threads: int | None = None,
                 context_length: int | None = None, spin: bool = True,
                 prefill_chunk_tokens: int = PREFILL_CHUNK_TOKENS, huge_pages: bool = True,
                 speculative: bool = False) -> None:
        self.pack = pack if isinstance(pack, ModelPack) else ModelPack.load(pack)
        self.threads = int(threads) if threads else physical_cores()
        if self.threads < 1:
            raise BadInputError("threads must be at least 1")
        if prefill_chunk_tokens < 1:
            raise BadInputError("prefill_chunk_tokens must be at least 1")
        self.spin = spin
        self.speculative = speculative  # off: the plain one-token-per-pass loop (setting llm.speculative)
        choice = choose_provider(device)
        before = anonymous_regions() if huge_pages else {}
        # Speculative decoding needs the logits of several positions from one pass, each as a
        # single step computes it: a GenAI pack runs with lmhead.py's and exactcheck.py's edit of
        # its graph. The edit reproduces ONNX Runtime's CPU kernels, so a GPU runs the pack as is.
        genai = self.pack.genai_layout
        edited = None
        if speculative and genai is not None and genai.share_buffer and choice.provider == "CPUExecutionProvider":
            edited = model_with_logits_positions(self.pack.model_file, genai.input_ids, genai.head_size)
        self.session, choice = create_session(self.pack.model_file, choice, self.threads, spin, edited)
        self.device = choice.device  # a key of providers.DEVICES: cpu, cuda, dml, coreml
        self.provider = choice.provider
        self.provider_reason = choice.reason
        self.warning = choice.warning  # for the GUI: a GPU was asked for and is not used
        model_name = self.pack.model_file.name
        if genai is not None:
            layout = genai
            if edited is not None:
                layout = replace(layout, logits_positions=LOGITS_POSITIONS, exact_checks=True)
            self.layout = check_against_session(layout, self.session, model_name)
        else:
            self.layout = layout_from_session(self.session, self.pack.hf_config, model_name)
        self.runner = DecoderRunner(self.session, self.layout, choice.binding_device, self.pack.vocab_size)
        self.tokenizer: Tokenizer = load_tokenizer(self.pack.tokenizer_file)
        self.exact_check_error: float | None = None
        if self.layout.exact_checks:
            self._check_exactness()
        # Chunks only where they are known to be exact: GroupQueryAttention packs (which take a past
        # and several new tokens in one call) on the CPU. Other packs prefill in one call.
        chunked = self.layout.share_buffer and choice.binding_device == "cpu"
        self.prefill_chunk_tokens = prefill_chunk_tokens if chunked else None
        eos = list(self.pack.eos_token_ids)
        if self.pack.eos_token and (tid := self.tokenizer.token_to_id(self.pack.eos_token)) is not None:
            eos.append(tid)
        self.eos_token_ids = tuple(dict.fromkeys(eos))
        release_free_memory()  # loading freed the model's unpacked weights; give those pages back
        self.huge_page_bytes = collapse_new_memory(before) if huge_pages and choice.binding_device == "cpu" else 0
        self.context_length = min(self.pack.context_length, context_length or self.pack.context_length)
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._current: Generation | None = None
        self.last_stats: GenerationStats | None = None

    def _check_exactness(self) -> None:
        """Speculate only where a check gives single steps' logits bit for bit, measured now on this
        machine's kernels (about 15 passes over a 30-token probe): another ONNX Runtime, CPU or
        attention setting that rounds otherwise turns speculation off with a log line, never
        changes the text."""
        probe = self.encode(_PROBE, add_special_tokens=True)
        probe = (probe * (1 + 30 // max(len(probe), 1)))[:30]
        try:
            self.exact_check_error = self.runner.check_matches_steps(probe, prefill=17)
        except (RuntimeError, ValueError) as e:  # onnxruntime's own errors are RuntimeErrors
            self.exact_check_error = float("inf")
            log.warning("speculative decoding off: the exactness check failed to run (%s)", e)
        if self.exact_check_error != 0.0:
            log.warning("speculative decoding off: a check's logits differ from single steps' by %s here",
                        self.exact_check_error)
            self.runner.checks_exact = False

    # -- text --------------------------------------------------------------------------------------
    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=add_special_tokens).ids)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        return self.tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)

    def render_chat(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> str:
        return render_chat(self.pack.chat_template, messages, self.pack.bos_token, self.pack.eos_token,
                           add_generation_prompt)

    # -- generation --------------------------------------------------------------------------------
    def chat(self, messages: Sequence[Message], config: GenerationConfig | None = None,
             logits_processor: LogitsProcessor | None = None, cancel: threading.Event | None = None) -> Generation:
        """Stream the assistant's reply to `messages` ([{"role", "content"}, ...]) as text pieces."""
        config = config or GenerationConfig()
        msgs = list(messages)
        ids = self.encode(self.render_chat(msgs))
        dropped = 0
        if config.overflow == "truncate":
            # Drop whole old turns first (keeping a leading system message and the last turn), so
            # what remains is still a well-formed conversation.
            first = 1 if msgs and msgs[0].get("role") == "system" else 0
            while len(ids) + config.max_new_tokens > self.context_length and len(msgs) - first > 1:
                del msgs[first]
                new_ids = self.encode(self.render_chat(msgs))
                dropped += len(ids) - len(new_ids)
                ids = new_ids
        return self.generate_ids(ids, config, logits_processor, cancel, _already_dropped=dropped)

    def generate(self, prompt: str, config: GenerationConfig | None = None,
                 logits_processor: LogitsProcessor | None = None, cancel: threading.Event | None = None,
                 add_special_tokens: bool = True) -> Generation:
        """Stream a continuation of a raw text prompt (no chat template)."""
        ids = self.encode(prompt, add_special_tokens=add_special_tokens)
        return self.generate_ids(ids, config, logits_processor, cancel)

    def generate_ids(self, prompt_ids: Sequence[int], config: GenerationConfig | None = None,
                     logits_processor: LogitsProcessor | None = None, cancel: threading.Event | None = None,
                     _already_dropped: int = 0) -> Generation:
        """Stream a continuation of `prompt_ids`, checking the context budget first."""
        config = config or GenerationConfig()
        ids = [int(i) for i in prompt_ids]
        if not ids:
            raise BadInputError("the prompt is empty")
        budget = self.context_length
        if config.max_new_tokens >= budget:
            raise BadInputError(f"max_new_tokens={config.max_new_tokens} leaves no room for a prompt in the "
                                f"model's context of {budget} tokens")
        over = len(ids) + config.max_new_tokens - budget
        if over > 0 and config.overflow == "refuse":
            raise BadInputError(
                f"the prompt is {len(ids)} tokens and up to {config.max_new_tokens} new tokens are asked for, "
                f"{over} more than the model's context of {budget} tokens; shorten the prompt by {over} tokens "
                "or lower max_new_tokens"
            )
        if over > 0:
            log.warning("prompt truncated: dropped its first %d of %d tokens to fit the context", over, len(ids))
            ids = ids[over:]
        return Generation(self, ids, config, logits_processor, cancel, _already_dropped + max(over, 0))

    def cancel(self) -> None:
        """Stop the running generation (if any) before its next token; safe from any thread."""
        self._cancel.set()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def _run(self, gen: Generation, config: GenerationConfig, processor: LogitsProcessor | None,
             cancel: threading.Event | None) -> PyGenerator[str, None, None]:
        if not self._lock.acquire(blocking=False):
            previous = self._current
            if previous is not None and previous._abandoned_here():
                previous.close()  # a loop left with `break` still holds the engine: end it
            if not self._lock.acquire(blocking=False):
                raise EngineBusyError("the model is already generating; cancel that first or wait for it")
        self._current = gen
        stats, ids = gen.stats, gen.prompt_ids
        self._cancel.clear()
        stream = TextStream(self.tokenizer, config.stop_strings, config.skip_special_tokens)
        sampler = Sampler(config, self.eos_token_ids, ids, processor)
        eos = set(self.eos_token_ids)
        stats.stop_reason = "error"

        def cancelled() -> bool:
            return self._cancel.is_set() or (cancel is not None and cancel.is_set())

        reset_peak_rss()
        started = first_at = time.perf_counter()
        try:
            if cancelled():
                stats.stop_reason = "cancelled"
                return
            # Speculation (greedy only: a sampled token is not a deterministic function of the logits,
            # so checking a guess against it would change the distribution) guesses the next tokens
            # from earlier text and checks them all in one pass. Exact: each row of a check rounds
            # as a single step does (exactcheck.py, checked at load), so the tokens are those of
            # this loop without guesses and with the setting off, whatever is guessed.
            speculate = (self.speculative and config.greedy and config.repetition_penalty == 1.0
                         and self.runner.can_verify)
            self.runner.start(len(ids) + config.max_new_tokens)
            for piece_start, piece_end in prefill_chunks(len(ids), self.prefill_chunk_tokens):
                if piece_start and cancelled():
                    stats.stop_reason = "cancelled"
                    return
                logits = self.runner.prefill(ids[piece_start:piece_end])
            generated = gen.token_ids
            stats.speculative = speculate
            lookup = PromptLookup(ids) if speculate else None
            length = DraftLength()
            guess: list[int] = []  # guesses fed in the last pass and not yet checked
            rows = logits
            row = 0
            while True:
                token = sampler.choose(logits, generated, scratch=True)  # logits: the runner's buffer
                generated.append(token)
                if lookup is not None:
                    lookup.push(token)
                if len(generated) == 1:
                    first_at = time.perf_counter()
                    stats.ttft_s = first_at - started
                stats.new_tokens = len(generated)
                if token in eos:
                    stats.stop_reason = "eos"
                    break
                piece = stream.push(token)
                gen.text = stream.text
                if piece:
                    yield piece
                if stream.stopped_on is not None:
                    stats.stop_reason = "stop_string"
                    break
                if len(generated) >= config.max_new_tokens:
                    stats.stop_reason = "max_new_tokens"
                    break
                if cancelled():
                    stats.stop_reason = "cancelled"
                    break
                if guess:
                    if token == guess[0]:  # the pass already computed what follows it
                        guess.pop(0)
                        stats.accepted_tokens += 1
                        row += 1
                        logits = rows[row]
                        if not guess:
                            length.update(row, row)
                        continue
                    length.update(row + len(guess), row)
                    self.runner.trim(self.runner.length - len(guess))  # forget the rejected guesses
                    guess = []
                stats.passes += 1
                room = config.max_new_tokens - len(generated) - 1
                guess = lookup.propose(min(length.value, room)) if lookup is not None else []
                if guess:
                    stats.draft_tokens += len(guess)
                    rows, row = self.runner.verify([token, *guess]), 0
                    logits = rows[0]
                else:
                    logits = self.runner.step(token)
            tail = stream.flush() if stats.stop_reason != "stop_string" else ""
            gen.text = stream.text
            if tail:
                yield tail
        except GeneratorExit:
            stats.stop_reason = "cancelled"
            raise
        except (RuntimeError, ValueError) as e:
            if isinstance(e, AssistantError):
                raise
            raise ModelPackError(f"the model failed while generating: {e}") from e
        finally:
            end = time.perf_counter()
            stats.total_s = end - started
            if stats.new_tokens > 1:
                stats.decode_tokens_per_s = (stats.new_tokens - 1) / max(end - first_at, 1e-9)
            stats.peak_rss_mb = round(peak_rss_mb(), 1)
            self.last_stats = stats
            self._current = None
            self._lock.release()
