import pytest

pytest.register_assert_rewrite("tests.tallies")  # its asserts say what differs, as a test's do
