"""The insurance fund: one balance a fund id, which never goes below zero."""
