from core.tests.fixtures import private_storage  # noqa: F401 - a fixture
