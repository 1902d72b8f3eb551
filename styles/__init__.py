"""Textual stylesheets, shipped inside the wheel as the package `reader.styles`."""
