pytest_plugins = ["tests.plugins.fixtures", "tests.plugins.outside_readers"]
