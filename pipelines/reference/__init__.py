"""Reference statistics: readers for the official files under sources/reference/."""
