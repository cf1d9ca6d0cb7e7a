# test support library (private redis-server harness)
