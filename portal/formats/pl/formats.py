# One date style per language, on every page, e-mail and certificate: "3 grudnia 2026" / "3 December 2026" ("E" is
# the month's name as a date uses it: the Polish genitive, the English name), times on the 24-hour clock. Short
# formats are the same, so a template's `|date:"SHORT_DATE_FORMAT"` cannot bring back a second style. Input formats
# are Django's own for the language (not overridden here); typed date inputs use ISO (core/inputs.py).
DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j E"
