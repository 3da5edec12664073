pytest_plugins = ["tests.plugins.fixtures", "tests.plugins.outside_readers", "tests.plugins.s3"]
