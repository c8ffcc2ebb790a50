"""The HTML face and the composition root: create_app(), pages, the `ots` command."""
