"""Plumbing every stage may use: safe file writes, ffmpeg, cover headers, progress, malloc."""
