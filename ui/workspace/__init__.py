"""The pages on the Go menu: sync (both roles) and the coordinator's programme, allocation and
claims, and the Definitions dialog. None of it imports the family record (ui/record)."""
