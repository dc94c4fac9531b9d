"""Care-plan drafts: templates, sections, the document, drafting and FHIR export."""
