"""The machine interface (/api/v1/): partner systems (the city's 12345 hotline, the province's
service platform) read the catalogue and applications' status, bounded by an office's
jurisdiction, with hashed, rotatable keys. See docs/api.md."""
