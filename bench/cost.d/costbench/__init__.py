"""bench/cost: instructions (callgrind Ir) and heap allocations per request, authgate and nginx."""
