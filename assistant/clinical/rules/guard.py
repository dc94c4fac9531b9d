"""Run one risk rule so that its failure hides nothing else: it becomes an info flag saying so."""

from __future__ import annotations

import logging
from collections.abc import Callable

from assistant.clinical.knowledge import KnowledgeError

from .base import Flag

log = logging.getLogger(__name__)

# The flag category a failed group's notice is filed under.
GROUP_CATEGORY = {"score": "score", "laboratory": "lab", "trend": "trend", "medication": "medication",
                  "care gaps": "care gap"}


def guarded(group: str, rule: Callable[[], list[Flag]], name: str = "") -> list[Flag]:
    """`rule()`, or one info flag naming the rule when it raised (a broken knowledge table still
    stops the evaluation: that is an installation error, not a patient's odd value)."""
    try:
        return rule()
    except KnowledgeError:
        raise
    except Exception as e:  # noqa: BLE001 - reported as a flag instead
        # Only the exception type is logged: its message could quote chart data.
        what = f"{group} check {name}" if name else f"{group} checks"
        log.error("risk rule %s failed with %s", what, type(e).__name__)
        fid = f"error:{group}" + (f":{name}" if name else "")
        return [Flag(fid, f"The {what} could not run", "info", GROUP_CATEGORY[group], (),
                     f"An internal error ({type(e).__name__}) stopped the {what} for this record, "
                     "perhaps on an implausible value in the chart; every other check ran. Check "
                     "the chart's values by hand and report this to IT.", (), "Clinician Assistant")]
