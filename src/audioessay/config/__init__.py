"""Settings, declared once: options, groups, YAML read with its lines, and the engine registry."""
