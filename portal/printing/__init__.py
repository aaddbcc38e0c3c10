"""The A4 layout every printed paper is drawn with (reportlab): its font, its page, its QR code,
the joining of many PDFs into one, the date in official words, and the response that sends a PDF.

What each paper says belongs to its app (`approvals.papers`, `certificates.papers`,
`ledger.printing`); this package knows nothing about applications or certificates."""
