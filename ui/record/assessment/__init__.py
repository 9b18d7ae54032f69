"""The Assessment tab: the family's assessments and the guided whole-family assessment."""
