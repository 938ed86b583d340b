"""The script stage: a YAML script, a Markdown post or a plain essay -> a frozen, checked Script."""
