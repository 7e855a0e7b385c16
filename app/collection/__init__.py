"""Collecting responses: the submissions API (single, batch, idempotent),
kiosk devices, the respondent pages, paper-form import and printed QR sheets."""
