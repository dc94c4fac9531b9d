"""The FHIR R4 Bundle of a de-identified record: birth year only, address as state and ZIP prefix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from assistant.records.fhir_export import Bundle, export_bundle
from assistant.records.record import PatientRecord

_TAG = {"system": "https://clinician-assistant.invalid/fhir/tags", "code": "DEIDENTIFIED",
        "display": "De-identified by the HIPAA Safe Harbor method; dates shifted"}


def deidentified_bundle(record: PatientRecord) -> Bundle:
    """Export `record` (already de-identified) with the Patient's dates and address generalised.

    The Bundle timestamp is the export's own and carries no patient date; its id is random."""
    bundle = export_bundle(record)
    for entry in bundle["entry"]:
        res = entry["resource"]
        if res.get("resourceType") != "Patient":
            continue
        birth = record.patient.birth_date
        if birth is not None:
            res["birthDate"] = f"{birth.year:04d}"  # FHIR allows a year alone
        if record.patient.address:
            parts = [p.strip() for p in record.patient.address.split(",")]
            res["address"] = [{"text": record.patient.address,
                               **({"postalCode": parts[-2]} if len(parts) >= 2 and parts[-2].isdigit()
                                  else {})}]
        res["meta"] = {"tag": [dict(_TAG)]}
    bundle["id"] = str(uuid.uuid4())
    bundle["timestamp"] = datetime.now(UTC).isoformat(timespec="seconds")
    return bundle
