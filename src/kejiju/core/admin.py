"""The Django admin site is for system administrators only; bureau work uses the pages."""
