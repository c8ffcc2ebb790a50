"""Read notifications: telling a secret's creator what became of it, and keeping its history."""
