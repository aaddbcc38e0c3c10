"""Printed papers (certificates, receipts, one-time notices) from one A4 layout (reportlab)."""
