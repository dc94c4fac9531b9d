"""Execution-provider choice, thread count and ONNX Runtime session creation with CPU fallback."""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

from assistant.errors import ModelPackError
from assistant.llm.exactcheck import prefer_plain_attention

# A clinical application on offline workstations sends nothing anywhere and keeps no telemetry
# queue: ONNX Runtime's telemetry events are off for the whole process (issue 15, item 11).
ort.disable_telemetry_events()

log = logging.getLogger(__name__)

# What a user may ask for, mapped to ONNX Runtime provider names and the device name IOBinding uses.
DEVICES = {
    "cuda": ("CUDAExecutionProvider", "cuda"),
    "dml": ("DmlExecutionProvider", "dml"),
    "coreml": ("CoreMLExecutionProvider", "cpu"),
    "cpu": ("CPUExecutionProvider", "cpu"),
}
ALIASES = {"directml": "dml", "gpu": "auto"}
_AUTO_ORDER = ("cuda", "dml", "coreml")


@dataclass(frozen=True)
class ProviderChoice:
    device: str  # key of DEVICES
    provider: str  # ONNX Runtime provider name
    binding_device: str  # device name for IOBinding ("cpu", "cuda", "dml")
    reason: str
    warning: str | None = None  # set when a GPU was asked for and not used: the GUI shows it


def physical_cores() -> int:
    """Physical cores this process may use (hyper-threads share execution units, so do not count twice)."""
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cores: int | None = None
    if sys.platform.startswith("linux"):
        siblings = set()
        for cpu in os.sched_getaffinity(0):
            f = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/thread_siblings_list")
            try:
                siblings.add(f.read_text().strip())
            except OSError:
                siblings = set()
                break
        cores = len(siblings) or None
    elif sys.platform == "darwin":
        try:
            out = subprocess.run(["sysctl", "-n", "hw.physicalcpu"], capture_output=True, text=True, timeout=2)
            cores = int(out.stdout.strip())
        except (OSError, ValueError, subprocess.SubprocessError):
            cores = None
    return max(1, min(cores or logical, logical))


def choose_provider(device: str = "auto") -> ProviderChoice:
    """Pick a provider for `device` ("auto", "cpu", "cuda", "dml", "coreml"), logging why."""
    wanted = ALIASES.get(device.lower(), device.lower())
    if wanted != "auto" and wanted not in DEVICES:
        raise ModelPackError(f"unknown device '{device}'; use auto, cpu, cuda, dml or coreml")
    available = set(ort.get_available_providers())
    if wanted == "cpu":
        choice = ProviderChoice("cpu", "CPUExecutionProvider", "cpu", "CPU asked for")
    elif wanted == "auto":
        for name in _AUTO_ORDER:
            if DEVICES[name][0] in available:
                choice = ProviderChoice(name, DEVICES[name][0], DEVICES[name][1], f"{DEVICES[name][0]} is available")
                break
        else:
            choice = ProviderChoice(
                "cpu", "CPUExecutionProvider", "cpu",
                f"no GPU provider in this onnxruntime build ({', '.join(sorted(available))})",
            )
    elif DEVICES[wanted][0] in available:
        choice = ProviderChoice(wanted, DEVICES[wanted][0], DEVICES[wanted][1], f"{device} asked for")
    else:
        msg = f"{device} was asked for but this onnxruntime has no {DEVICES[wanted][0]}; running on CPU"
        choice = ProviderChoice("cpu", "CPUExecutionProvider", "cpu", msg, warning=msg)
    log.info("model provider: %s (%s)", choice.provider, choice.reason)
    if choice.warning:
        warnings.warn(choice.warning, RuntimeWarning, stacklevel=2)
    return choice


def session_options(threads: int, spin: bool = True) -> ort.SessionOptions:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    if not spin:
        # Spinning (ONNX Runtime's default) hands work between operators fastest: measured here on
        # 2 idle cores, decoding ran about 20 % faster with it. But a spinning worker holds its core
        # while it waits, so on a machine busy with other programs it takes the time the decode
        # loop needs; there, sleeping workers decoded 1.2-3x faster (setting `models.spin`).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
    # One operator at a time: a decoder's graph is a chain, and a second pool would only compete.
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


def create_session(model: Path, choice: ProviderChoice, threads: int, spin: bool = True,
                   model_bytes: bytes | None = None) -> tuple[ort.InferenceSession, ProviderChoice]:
    """Open `model` on the chosen provider; if a GPU provider fails to start, warn and use the CPU.

    `model_bytes`, when given, is an edited copy of `model`'s graph; its weights are still read from
    the files beside `model`.
    """
    providers = [choice.provider] if choice.provider == "CPUExecutionProvider" else [choice.provider, "CPUExecutionProvider"]
    # Every session, edited or not, on the plain attention path: the text is then the same with
    # speculation on and off (exactcheck.py says why and what it costs).
    prefer_plain_attention()
    opts = session_options(threads, spin)
    if model_bytes is not None:
        opts.add_session_config_entry("session.model_external_initializers_file_folder_path", str(model.parent))
    try:
        session = ort.InferenceSession(model_bytes if model_bytes is not None else str(model), opts,
                                       providers=providers)
    except Exception as e:  # onnxruntime raises its own exception types for bad models and failed devices
        if choice.provider == "CPUExecutionProvider":
            raise ModelPackError(f"{model.name} could not be loaded by onnxruntime ({e}); the pack is damaged or too new") from e
        msg = f"{choice.provider} failed to start ({str(e).splitlines()[0]}); running on CPU instead"
        log.warning(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
        fallback = ProviderChoice("cpu", "CPUExecutionProvider", "cpu", msg, warning=msg)
        return create_session(model, fallback, threads, spin, model_bytes)
    used = session.get_providers()[0]
    if used != choice.provider:
        # ORT silently drops a provider whose libraries (CUDA, cuDNN) cannot be loaded.
        msg = f"{choice.provider} did not start (missing GPU libraries?); running on CPU instead"
        log.warning(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
        choice = ProviderChoice("cpu", "CPUExecutionProvider", "cpu", msg, warning=msg)
    log.info("model session on %s with %d threads (%s)", used, threads, platform.machine())
    return session, choice
