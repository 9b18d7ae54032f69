"""The Qt kit: what every screen is built from (background tasks, the one error presenter, table
models, widgets, forms, autosave, dialogs, print preview). It imports no other part of ui."""
