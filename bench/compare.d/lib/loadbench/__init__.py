"""bench/compare: the side-by-side load comparison (issue 5)."""
