"""Elderships (seniūnijos): the areas of Biržai district that cameras belong to."""
