"""Custom share domains: one owner each, verified through DNS, branded, and served as sites."""
