from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401
