"""Storage: one connection that writes, a pool that reads, raw SQL in one store per feature."""
