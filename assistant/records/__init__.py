"""Patient-record domain model and FHIR R4 import/export."""
