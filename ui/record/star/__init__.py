"""The Star tab: readings over time, the chart, and taking a reading with the family."""
