"""The render stage: episode.py runs every stage in order, in parts; also preview and watch."""
