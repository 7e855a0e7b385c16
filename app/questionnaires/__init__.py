"""Questionnaires: loading and validating questionnaires/<slug>/v<N>.yaml,
checking a set of answers against one, and the quality flags (speeding,
straight-lining, bursts) a response earns; the questionnaire JSON API."""
