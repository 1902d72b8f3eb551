"""Reader: a three-pane terminal news reader that keeps quotations."""

__version__ = "0.1.0"
