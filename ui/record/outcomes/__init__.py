"""The Outcomes tab: the family's framework, indicators of need, measures, evidence and claims."""
