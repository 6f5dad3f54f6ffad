"""Backup and restore of the platform itself (M2): every table of every installed app and
the files under MEDIA_ROOT, in one archive whose format is the same whichever database
wrote it. Not to be confused with customers' own backups (a monitored service like any
other): this app keeps the platform's data, nothing of the customers' systems.
"""
