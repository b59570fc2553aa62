"""Coordo: cited answers about French coordinated primary care (exercice coordonné)."""

__version__ = "0.1.0"
