"""The docs site's build hooks, one concern a module; mkdocs_hooks.py calls them."""
