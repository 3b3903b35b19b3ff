from sydstat.cli import main

raise SystemExit(main())
