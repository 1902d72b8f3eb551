from reader.cli import entry_point

entry_point()
