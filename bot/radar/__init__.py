"""Prospect radar: who in the team already knows or pursues a company.

The matching core is pure (no Slack, no database): `normalise` (how a name is read),
`match` (the same-company decision), `index` (lookups and mentions in text over many names),
`explain` (the `python -m bot radar explain` output).
"""
