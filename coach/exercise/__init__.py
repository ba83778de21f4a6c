"""Exercise definitions: the schema and the loader."""
