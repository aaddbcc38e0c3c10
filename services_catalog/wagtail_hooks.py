"""Back office for the service guide: delegation records, search synonyms, catalogue import."""

from . import admin_delegations  # noqa: F401
from .catalogue_io import wagtail_hooks as catalogue_io_hooks  # noqa: F401
from .search import wagtail_hooks as search_hooks  # noqa: F401
