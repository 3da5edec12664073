"""`python -m tablefmt.cli`: the same as the `tablefmt` console script."""

from tablefmt.cli.main import main

raise SystemExit(main())
