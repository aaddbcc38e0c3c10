"""Back-office hooks of this app (imported by services_catalog.wagtail_hooks)."""
