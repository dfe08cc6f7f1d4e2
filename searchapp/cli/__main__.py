"""`python -m searchapp.cli`: the same as `scisearch`."""

from searchapp.cli.base import main

main()
