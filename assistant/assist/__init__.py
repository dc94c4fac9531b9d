"""The three jobs: cited summary, risk review, care-plan draft."""


def __getattr__(name: str):  # noqa: ANN202 - lazy: importing the package stays cheap
    # The GUI and CLI call `assistant.assist.generate_summary`; load the summary code on first use.
    if name in ("generate_summary", "build_fact_sheet", "verify_sentence"):
        from . import facts, summary, verify

        return {"generate_summary": summary.generate_summary, "build_fact_sheet": facts.build_fact_sheet,
                "verify_sentence": verify.verify_sentence}[name]
    # The GUI calls `assistant.assist.draft_careplan` and builds `CarePlanDocument`s from stored data.
    if name in ("draft_careplan", "CarePlanDocument"):
        from assistant.assist.careplan import drafting as careplan

        return getattr(careplan, name)
    raise AttributeError(name)
