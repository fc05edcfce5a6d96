"""Build-time page writers for the docs site, one module a concern, called from mkdocs_hooks.py."""
