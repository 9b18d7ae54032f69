"""The main window and its own screens: welcome, unlock, the caseload, auto-lock. It opens the
family record (ui/record) and the Go menu's pages (ui/workspace)."""
