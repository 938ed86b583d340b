"""Rendering an episode: render.py runs every stage in order, in parts; also preview and watch."""
