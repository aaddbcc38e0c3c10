"""Fixtures the security findings' tests share with the apps' own tests."""

from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.certificates.conftest import approve, certified  # noqa: F401
from tests.ledger.conftest import ledger  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401
