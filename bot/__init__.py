"""Nexus: the collaboration bot for a backend-engineering learner community."""

__version__ = "0.1.0"
