"""``python -m dmsa_migrate`` runs the CLI."""

from dmsa_migrate.cli import main

raise SystemExit(main())
