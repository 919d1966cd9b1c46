"""Bounds on the figures salesflow reads, shared by the process file and deal data: beyond them a
figure is a typing error, and arithmetic on it overflows to Infinity or NaN."""

from __future__ import annotations

# An amount beyond ±MAX_AMOUNT (a quadrillion), infinite or NaN is no amount: deal data refuses it
# (sources.problems, `amount-out-of-range`), and so does the process file (`out-of-range`), since
# sums and products of such values overflow to Infinity/NaN.
MAX_AMOUNT = 1e15
# Planned days (a stage's, the sales-cycle goal): at most a hundred years.
MAX_DAYS = 36_500
# What one unit of a currency may be worth in the process currency (data.rates): a billion leaves
# room for any real pair of currencies, and keeps a converted amount far from overflowing.
MAX_RATE = 1e9
# Dates outside these years are typing errors, and date arithmetic near the ends of the calendar
# overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200
