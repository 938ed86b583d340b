"""`python -m audioessay`: the command line (audioessay.cli.main)."""

from audioessay.cli import main

main()
