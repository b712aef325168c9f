"""Shared low-level pieces that every app may import (it imports no app)."""
