"""`python -m coach`: the `coach` command."""

from coach.cli import main

raise SystemExit(main())
