"""The revisions, one file each, named after their readable revision id."""
