"""PDFs with reportlab: family action plan, assessment summary, Star progress, claims, programme.

Every document is built with `reports.base.Document`, which embeds the shipped Unicode font on every
style, prints the protective marking and "page x of y" on every page, and writes atomically.
"""
