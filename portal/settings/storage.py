"""Where files live: the local disk (one server) or S3-compatible object storage (several nodes).

`STORAGE_BACKEND=local` (the default) keeps public media under MEDIA_ROOT and villagers'
documents under PRIVATE_MEDIA_ROOT. `STORAGE_BACKEND=s3` puts them in two buckets of any
S3-compatible store (MinIO, Ceph RGW, a cloud OSS) so that every web node and worker sees the
same files. The private bucket holds application materials, ledger records and printed
certificate batches: its objects are written with the `private` ACL, signed query strings are
on, and no code builds a URL to it — the views that check the jurisdiction open the object
through `storages["private"]` and stream it (approvals/views/work.py, ledger/views/staff.py,
certificates/views.py). docs/deploy.md says how to set the buckets up.
"""

from pathlib import Path

from .base import BASE_DIR, DEBUG
from .env import env_bool, env_str

STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local").strip().lower()

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private")))

_STATICFILES = {
    "BACKEND": (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
}


def _s3_options(bucket: str, *, public: bool) -> dict:
    """django-storages' S3Storage options shared by both buckets; the private one never signs
    away access by a plain URL and never makes an object readable by anyone."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
        # Path-style addressing (http://host/bucket/key) is what MinIO and Ceph expect by default.
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path") or None,
        "signature_version": "s3v4",
        "file_overwrite": False,
        "use_ssl": env_bool("AWS_S3_USE_SSL", True),
        "verify": env_bool("AWS_S3_VERIFY", True),
    }
    if public:
        options.update(
            default_acl=env_str("AWS_DEFAULT_ACL", "") or None,
            querystring_auth=env_bool("AWS_QUERYSTRING_AUTH", False),
            custom_domain=env_str("AWS_S3_CUSTOM_DOMAIN", "") or None,
        )
    else:
        options.update(
            default_acl="private", querystring_auth=True, querystring_expire=60, custom_domain=None
        )
    return options


if STORAGE_BACKEND == "s3":
    AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "cunban-media")
    AWS_PRIVATE_BUCKET_NAME = env_str("AWS_PRIVATE_BUCKET_NAME", "cunban-private")
    if AWS_PRIVATE_BUCKET_NAME == AWS_STORAGE_BUCKET_NAME:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("AWS_PRIVATE_BUCKET_NAME must differ from AWS_STORAGE_BUCKET_NAME")
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": _s3_options(AWS_STORAGE_BUCKET_NAME, public=True),
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": _s3_options(AWS_PRIVATE_BUCKET_NAME, public=False),
        },
        "staticfiles": _STATICFILES,
    }
elif STORAGE_BACKEND == "local":
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # base_url None: the storage has no URL, so nothing can link to a document directly.
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
        },
        "staticfiles": _STATICFILES,
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}")
