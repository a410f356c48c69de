from core.tests.fixtures import private_storage  # noqa: F401
from inspections.tests.conftest import make_inspection  # noqa: E402, F401 - shared fixture
