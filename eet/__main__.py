from eet.cli import main

raise SystemExit(main())
