"""Readers and writers: every file format is converted to SI and model conventions here."""
