"""mkdocs hook modules, one concern each, called from mkdocs_hooks.py."""
