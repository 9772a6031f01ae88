"""The version of the fitcheck client."""
__version__ = "0.1.0"
