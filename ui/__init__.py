"""The Qt application and the command line. Imports db, reports and fmdesk; nothing imports ui."""
