"""Date and time formats per language (settings.FORMAT_MODULE_PATH), overriding Django's own:
24-hour times everywhere (helplines work across zones) and the month as a word, never a
numeric-only date that reads differently on each continent (03/04/2027). Machine formats (CSV
exports, feeds) use ISO 8601 and do not come from here."""
