"""Reader editions: a notebook per page, a PDF and an offline copy per language, news, llms.txt.

Notebooks, news, feeds and llms.txt are made in the MkDocs build (hooks/editions.py). The PDF and
the offline ZIP need the finished site of every language, so `handbook build` calls
`build_editions(project, site_dir)` after checking the links and before the new site replaces the
old one; `handbook editions --site-dir site` makes them for a site built earlier. Each language
gets `<lang root>/downloads/<name>-<lang>.pdf` and `.zip`, and every page of that language links
to them from its footer (links.py), only once they exist.
"""
