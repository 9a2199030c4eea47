"""The writes of equipment, one module per area (``do``-style functions, atomic, audited)."""
