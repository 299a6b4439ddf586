"""`python -m handbook.editions`: the PDF and offline copy of a built site."""

from handbook.editions import main

raise SystemExit(main())
