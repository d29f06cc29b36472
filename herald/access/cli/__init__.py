"""`herald users …`, `herald keys …` and `herald audit …`."""
