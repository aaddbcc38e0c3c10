"""Where villagers' documents are kept."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The storage for villagers' documents (settings.STORAGES["private"]): never public.

    A callable, so FileFields read the configured backend when they are used rather than when
    the models are imported, and migrations refer to the function, not to a backend."""
    return storages["private"]
