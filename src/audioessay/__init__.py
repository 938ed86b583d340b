"""audioessay: turn a written essay into a podcast episode."""

__version__ = "0.1.0"
