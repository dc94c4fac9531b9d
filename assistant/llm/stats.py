"""Per-generation statistics and the process's peak resident memory."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.json_types import JSONObject

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    new_tokens: int = 0
    ttft_s: float = 0.0  # prompt in to first token chosen (prefill + first choice)
    decode_tokens_per_s: float = 0.0  # tokens after the first, over the time after the first
    total_s: float = 0.0
    peak_rss_mb: float = 0.0
    stop_reason: str = ""  # eos | stop_string | max_new_tokens | cancelled | error
    truncated_tokens: int = 0  # prompt tokens dropped to fit the context ("truncate" overflow)
    provider: str = ""
    threads: int = 0
    # Speculative decoding (speculative.py): guesses checked, guesses accepted, and the model passes
    # after the prompt (steps and checks). Without speculation passes = new_tokens - 1.
    speculative: bool = False
    draft_tokens: int = 0
    accepted_tokens: int = 0
    passes: int = 0

    @property
    def tokens_per_s(self) -> float:
        return self.decode_tokens_per_s

    def as_dict(self) -> JSONObject:
        return asdict(self)


def _status_kb(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def reset_peak_rss() -> bool:
    """Restart the kernel's peak-RSS counter (Linux), so a peak belongs to one call. False if unsupported."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def release_free_memory() -> None:
    """Hand freed heap pages back to the OS (glibc): loading a model frees tens of MB that would
    otherwise stay resident for the life of the process."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc (e.g. musl): nothing to do


def current_rss_mb() -> float:
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (since the last reset on Linux)."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024
    if sys.platform == "win32":
        return _windows_peak_mb()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def _windows_peak_mb() -> float:
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [
            ("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
            ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
            ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
            ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
            ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t),
        ]

    counters = Counters()
    counters.cb = ctypes.sizeof(Counters)
    windll = ctypes.windll  # type: ignore[attr-defined]
    if not windll.psapi.GetProcessMemoryInfo(windll.kernel32.GetCurrentProcess(), ctypes.byref(counters), counters.cb):
        return 0.0
    return counters.PeakWorkingSetSize / (1024 * 1024)
