"""PDF reports (reportlab) and printing helpers."""
