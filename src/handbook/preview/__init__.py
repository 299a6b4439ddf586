"""`handbook serve`: a long-lived preview that renders only what an edit touches (see session.py)."""
