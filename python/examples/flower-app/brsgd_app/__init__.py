"""A Flower app whose ServerApp aggregates with brsgd's robust rules (brsgd.flower)."""
