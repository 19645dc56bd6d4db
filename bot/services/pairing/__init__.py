"""Pairing: skills, scores, hard constraints, ``/pair find`` suggestions and rounds.

Modules: ``skills`` (normalising), ``rules`` (scores, constraints, suggestions),
``matching`` (a round: ``weights``, ``solver``, ``blossom``, ``forest``), ``terms`` (what
the service and its adapter share), ``service`` and ``rounds`` (the use cases). Nothing
is imported here: numpy and scipy load only when a round is planned.
"""
