"""Tools behind the handbook site: plain functions that MkDocs hooks, tests and the CLI share.

Nothing here knows where a project lives: a `handbook.project.Project`, made from the mkdocs.yml
being built, gives every path.
"""
