"""`python -m handbook.editions`: the PDF and offline copy of a built site."""

from handbook.editions.build import main

raise SystemExit(main())
