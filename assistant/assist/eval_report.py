"""The `assistant eval` report: totals over the patients, the targets of issue 13 (met or not), text and JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .evaluate import ModelText, PatientResult
from .labelled import LabelledResult

COVERAGE_KINDS = ("allergies", "problems", "medications")


@dataclass(frozen=True)
class Target:
    """One target of issue 13 beside the figure measured. `value` is None when nothing was measured
    (no care plans, no labelled set): it is reported as not measured, neither met nor missed."""

    name: str
    value: float | None
    target: str
    met: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "target": self.target, "met": self.met}


def _sum_model(texts: list[ModelText]) -> dict[str, int]:
    return {"generated": sum(m.generated for m in texts), "checked": sum(m.checked for m in texts),
            "marked": sum(m.marked for m in texts), "dropped": sum(m.dropped for m in texts),
            "ungrounded_words": sum(m.ungrounded_words for m in texts),
            "sentences_with_ungrounded": sum(m.sentences_with_ungrounded for m in texts)}


def _share(found: int, total: int) -> float | None:
    return round(found / total, 4) if total else None


@dataclass(frozen=True)
class EvalReport:
    folder: str
    patients: list[PatientResult] = field(default_factory=list)
    labelled: LabelledResult | None = None

    def overall(self) -> dict[str, Any]:
        ok = [p for p in self.patients if not p.error]
        plans = [p.careplan for p in ok if p.careplan is not None]
        cov: dict[str, dict[str, Any]] = {}
        for kind in COVERAGE_KINDS:
            cs = [c for p in ok if (c := p.covered(kind)) is not None]
            found, total = sum(c.found for c in cs), sum(c.total for c in cs)
            cov[kind] = {"found": found, "total": total, "share": _share(found, total),
                         "patients_missing": sum(bool(c.missing) for c in cs)}
        times = sorted(p.summary_s for p in ok)
        return {
            "patients": len(ok), "errors": len(self.patients) - len(ok),
            "summary": _sum_model([p.summary for p in ok]),
            "careplan": _sum_model([c.model for c in plans]) if plans else None,
            "careplan_patient_unchecked": sum(c.patient_unchecked for c in plans) if plans else None,
            "careplan_signable_unchecked": sum(c.signable_unchecked for c in plans) if plans else None,
            "coverage": cov,
            "summary_s_mean": round(sum(times) / len(times), 3) if times else 0.0,
            "summary_s_max": round(times[-1], 3) if times else 0.0,
            "careplan_s_mean": round(sum(c.seconds for c in plans) / len(plans), 3) if plans else None,
        }

    def targets(self) -> list[Target]:
        o = self.overall()
        plan = o["careplan"]
        ungrounded = o["summary"]["ungrounded_words"] + (plan["ungrounded_words"] if plan else 0)
        out = [Target("ungrounded words in shown model sentences", ungrounded, "0", ungrounded == 0)]
        if self.labelled is not None:
            acc, n = self.labelled.true_accepted
            share = _share(acc, n)
            out.append(Target("true restatements accepted (labelled set)", share, ">= 95 %",
                              None if share is None else share >= 0.95))
        else:
            out.append(Target("true restatements accepted (labelled set)", None, ">= 95 %", None))
        for kind in COVERAGE_KINDS:
            share = o["coverage"][kind]["share"]
            # No such item in any record: nothing to leave out.
            out.append(Target(f"coverage of {kind}", share, "100 %", share is None or share == 1.0))
        for key, name in (("careplan_patient_unchecked", "unchecked model sentences, care-plan patient sections"),
                          ("careplan_signable_unchecked", "unchecked model sentences, signable care-plan content")):
            v = o[key]
            out.append(Target(name, v, "0", None if v is None else v == 0))
        return out

    def all_met(self) -> bool:
        """No target missed (one not measured, such as the care plans under --no-careplan, is none)."""
        return all(t.met is not False for t in self.targets())

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "overall": self.overall(),
                "targets": [t.to_dict() for t in self.targets()],
                "labelled": self.labelled.to_dict() if self.labelled is not None else None,
                "patients": [p.to_dict() for p in self.patients]}


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f} %"


def _value(t: Target) -> str:
    if t.value is None:
        return "n/a"
    return _pct(t.value) if "%" in t.target else str(int(t.value))


def _verdict(t: Target) -> str:
    return "not measured" if t.met is None else ("met" if t.met else "NOT MET")


def _patient_line(p: PatientResult) -> str:
    if p.error:
        return f"{p.patient[:36]:36} ERROR {p.error}"
    s = p.summary
    cov = " ".join(f"{c.found:2d}/{c.total:<2d}" for kind in COVERAGE_KINDS if (c := p.covered(kind)))
    plan = "      -"
    if p.careplan is not None:
        m = p.careplan.model
        plan = f"{m.generated:3d} {m.checked:3d} {m.marked:3d} {m.dropped:3d} {m.ungrounded_words:4d} " \
               f"{p.careplan.patient_unchecked:4d} {p.careplan.signable_unchecked:4d}"
    return (f"{p.patient[:36]:36} {p.source[:5]:5} {s.generated:3d} {s.checked:3d} {s.marked:3d} {s.dropped:3d} "
            f"{s.ungrounded_words:4d}  {cov}  {plan}")


def format_report(report: EvalReport) -> str:
    """The report as text: a line per patient, what is missing, the totals and the targets."""
    lines = [f"{'':36} {'':5} {'summary model sentences':23}  {'coverage':17}  care plan model sentences",
             f"{'patient':36} {'src':5} {'gen':>3} {'chk':>3} {'mrk':>3} {'drp':>3} {'ungr':>4}  "
             f"{'allerg':5} {'probl':5} {'meds':5}  {'gen':>3} {'chk':>3} {'mrk':>3} {'drp':>3} {'ungr':>4} "
             f"{'pat':>4} {'sign':>4}"]
    lines += [_patient_line(p) for p in report.patients]
    for p in report.patients:
        for c in p.coverage:
            if c.missing:
                lines.append(f"  {p.patient}: {c.kind} missing from the summary: {'; '.join(c.missing)}")
        for job, m in (("summary", p.summary), ("care plan", p.careplan.model if p.careplan else None)):
            for a in (m.sentences if m else ()):
                if a.ungrounded:
                    lines.append(f"  {p.patient}: {job} sentence shown as checked with ungrounded words "
                                 f"{', '.join(a.ungrounded)}: \"{a.text}\" [{', '.join(a.fact_ids)}]")
    o = report.overall()
    s = o["summary"]
    lines += ["", f"patients: {o['patients']} (errors: {o['errors']})",
              f"summary model sentences: {s['generated']} generated, {s['checked']} shown as checked, "
              f"{s['marked']} shown marked unchecked, {s['dropped']} dropped; ungrounded words in those shown "
              f"as checked: {s['ungrounded_words']} in {s['sentences_with_ungrounded']} sentences"]
    if o["careplan"] is not None:
        c = o["careplan"]
        lines.append(f"care-plan model sentences: {c['generated']} generated, {c['checked']} shown as checked, "
                     f"{c['marked']} shown marked unchecked, {c['dropped']} dropped; ungrounded words in those "
                     f"shown as checked: {c['ungrounded_words']} in {c['sentences_with_ungrounded']} sentences")
    cov = o["coverage"]
    lines.append("coverage in the summary: " + ", ".join(
        f"{k} {cov[k]['found']}/{cov[k]['total']} ({_pct(cov[k]['share'])})" for k in COVERAGE_KINDS))
    if report.labelled is not None:
        lab = report.labelled
        acc, n = lab.true_accepted
        rej, n_false = lab.false_rejected
        lines.append(f"labelled set ({lab.path}): true sentences accepted {acc}/{n}, false ones rejected {rej}/{n_false}")
        lines.append("  " + "; ".join(f"{k.kind} {k.agreed}/{k.rows}" for k in lab.kinds))
    lines.append(f"seconds per patient: summary mean {o['summary_s_mean']:.2f}, max {o['summary_s_max']:.2f}"
                 + (f"; care plan mean {o['careplan_s_mean']:.2f}" if o["careplan_s_mean"] is not None else ""))
    lines += ["", "targets (issue 13):"]
    lines += [f"  {t.name}: {_value(t)} (target {t.target}): {_verdict(t)}" for t in report.targets()]
    return "\n".join(lines)
