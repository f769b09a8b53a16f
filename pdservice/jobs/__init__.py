"""The jobs process: one APScheduler process (`flask jobs run`) with a leader lock."""
