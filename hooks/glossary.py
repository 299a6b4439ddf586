"""Glossary: MkDocs events on_page_markdown."""
