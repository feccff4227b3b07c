import sys

from runmuscles.cli import main

sys.exit(main())
