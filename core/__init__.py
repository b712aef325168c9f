"""Shared low-level pieces that every app may import (it imports no app): environment parsing
(env), the input policy at the boundary (inputs), StateConflict (exceptions), the refusal grounds
(grounds)."""
