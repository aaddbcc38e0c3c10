"""Back office for the service guide: delegation records and search synonyms."""

from .catalogue_io import wagtail_hooks as catalogue_io_hooks  # noqa: F401
from .search import wagtail_hooks as search_hooks  # noqa: F401
