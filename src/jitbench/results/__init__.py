"""The result artifact: its model, JSON round trip, schema and atomic writes."""
