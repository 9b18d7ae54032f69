"""The Plan tab: the family action plan and its versions, the Team Around the Family, meetings,
closing the case, and printing."""
