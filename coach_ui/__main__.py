"""`python -m coach_ui`: start the app (the `form-coach` command)."""

from coach_ui.launch import main

raise SystemExit(main())
