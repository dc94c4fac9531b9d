"""Chat templates: render a pack's Jinja chat template the way Hugging Face transformers does."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.errors import BadInputError, ModelPackError

if TYPE_CHECKING:
    from jinja2 import Template

log = logging.getLogger(__name__)

# Used only for packs without a chat template (base models): plain, and says where the answer goes.
FALLBACK_TEMPLATE = (
    "{% for m in messages %}{{ m['role'] | capitalize }}: {{ m['content'] }}\n\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)
Message = Mapping[str, str]


def _raise(message: str) -> None:
    from jinja2 import TemplateError

    raise TemplateError(message)


@lru_cache(maxsize=8)
def _compile(source: str) -> Template:
    # jinja2 is imported on first use (6 MB resident): generating from token ids never needs it.
    from jinja2 import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Same environment settings as transformers' apply_chat_template, so packs render identically;
    # sandboxed because the template comes with the pack.
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda x, indent=None, **_: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    try:
        return env.from_string(source)
    except TemplateError as e:
        raise ModelPackError(f"the pack's chat template does not compile ({e}); fix tokenizer_config.json") from e


def check_messages(messages: Sequence[Message]) -> list[dict[str, str]]:
    if not messages:
        raise BadInputError("a chat needs at least one message")
    out = []
    for i, m in enumerate(messages):
        role, content = m.get("role"), m.get("content")
        if not isinstance(role, str) or not isinstance(content, str):
            raise BadInputError(f"message {i} needs a string 'role' and 'content'")
        out.append({"role": role, "content": content})
    return out


def render_chat(
    template: str | None,
    messages: Sequence[Message],
    bos_token: str | None = None,
    eos_token: str | None = None,
    add_generation_prompt: bool = True,
) -> str:
    """The prompt text for `messages`; tokenize it without adding special tokens (the template has them)."""
    from jinja2 import TemplateError

    if template is None:
        log.info("the pack has no chat template; using a plain 'Role: text' layout")
    compiled = _compile(template or FALLBACK_TEMPLATE)
    try:
        return str(
            compiled.render(
                messages=check_messages(messages),
                add_generation_prompt=add_generation_prompt,
                bos_token=bos_token or "",
                eos_token=eos_token or "",
            )
        )
    except TemplateError as e:
        raise BadInputError(f"the pack's chat template refused these messages: {e}") from e
